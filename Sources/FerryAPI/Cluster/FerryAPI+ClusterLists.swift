import FerryBroker
import FerryHTTP
import FerryJSON
import Synchronization

/// Lists that span the cluster: each node holds the groups, queues and subscriptions of its own shards, so the
/// node a list request reaches asks every other live node for theirs (a forwarded request: local only) and
/// answers with the merged, sorted list. A node that does not answer makes the list 503 (retry), never silently
/// short.
extension FerryAPI {
    /// Answers `localBody` (this node's `{"<member>": [...]}`, sorted by `sortKey`) merged with every other live
    /// node's list, sorted by `sortKey` (code-point order). On one node, or for a forwarded request, `localBody`.
    func respondWithClusterList(
        _ request: HTTPRequest, member: String, sortKey: String, localBody: [UInt8], _ responder: HTTPResponder
    ) {
        let others = cluster.isDistributed ? cluster.nodes().filter { $0.alive && $0.nodeID != cluster.nodeID } : []
        guard let forwarder, !others.isEmpty, request.headers[Self.forwardedHeader] == nil else {
            responder.respond(.json(localBody))
            return
        }
        let local = Self.items(localBody, member: member)
        let gathered = Mutex((pending: others.count, items: local, missing: [String]()))
        for node in others {
            let outgoing = ForwardedRequest(
                method: "GET", url: Self.joined(node.url, request.target), headers: forwardedHeaders(of: request),
                body: [], timeoutMilliseconds: 10_000)
            forwarder.forward(outgoing) { result in
                var items: [JSONValue]?
                if case .success(let answer) = result, answer.status == 200,
                    case .array(let list)? = (try? JSONValue.parse(answer.body))?[member]
                {
                    items = list
                }
                let finished = gathered.withLock { state -> (items: [JSONValue], missing: [String])? in
                    if let items { state.items += items } else { state.missing.append(node.nodeID) }
                    state.pending -= 1
                    return state.pending == 0 ? (state.items, state.missing) : nil
                }
                guard let finished else { return }
                if finished.missing.isEmpty {
                    responder.respond(.json(Self.listBody(member: member, sortKey: sortKey, items: finished.items)))
                } else {
                    responder.respond(
                        Self.ownershipMoving(
                            "node(s) \(finished.missing.sorted().joined(separator: ", ")) did not answer"))
                }
            }
        }
    }

    /// The headers a request keeps when one node passes it to another, plus the hop marker.
    func forwardedHeaders(of request: HTTPRequest) -> [(name: String, value: String)] {
        var headers = request.headers.fields.filter { !Self.hopByHopHeaders.contains($0.name.lowercased()) }
            .map { (name: $0.name, value: $0.value) }
        headers.append((Self.forwardedHeader, cluster.nodeID))
        return headers
    }

    static func listBody(member: String, sortKey: String, items: [JSONValue]) -> [UInt8] {
        let sorted = items.sorted { a, b in
            (a[sortKey].flatMap { try? $0.string } ?? "").utf8.lexicographicallyPrecedes(
                (b[sortKey].flatMap { try? $0.string } ?? "").utf8)
        }
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key(member)
        writer.beginArray()
        for item in sorted { writer.value(item) }
        writer.endArray()
        writer.endObject()
        return writer.take()
    }

    /// The items of `{"<member>": [...]}` this node wrote.
    static func items(_ body: [UInt8], member: String) -> [JSONValue] {
        guard case .array(let list)? = (try? JSONValue.parse(body))?[member] else { return [] }
        return list
    }
}
