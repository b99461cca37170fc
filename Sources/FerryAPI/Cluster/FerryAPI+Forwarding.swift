import FerryBroker
import FerryHTTP
import FerryJSON

/// Any node answers any request: a request about a consumer group, a queue, a webhook subscription or an
/// `Idempotency-Key` goes to the node that owns its state shard (``ClusterRouting``), over HTTP, and its answer
/// comes back as it was. A forwarded request carries ``forwardedHeader``: a node that receives one for a shard
/// it does not hold (ownership moved meanwhile) answers 503 instead of forwarding again, so nothing loops.
extension FerryAPI {
    /// Marks a request one node forwarded to another (value: the forwarding node's id).
    public static let forwardedHeader = "Ferry-Forwarded-By"

    /// Headers that belong to one connection, not to the message (RFC 9110 §7.6.1), plus those the sender
    /// recomputes.
    static let hopByHopHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host",
        "content-length", "expect",
    ]

    /// The router's interception hook on a cluster of gateways: true when the request was taken over (forwarded,
    /// or answered 503 because nobody can be named as owner right now).
    func intercept(_ request: HTTPRequest, _ route: Router.Route, _ responder: HTTPResponder) -> Bool {
        guard cluster.isDistributed, let key = Self.stateKey(of: request, pattern: route.pattern.text) else {
            return false
        }
        switch cluster.owner(ofShard: broker.shardIndex(of: key)) {
        case .local:
            return false
        case .remote(let nodeID, let url):
            if request.headers[Self.forwardedHeader] != nil {
                responder.respond(Self.ownershipMoving("the owner moved while the request was forwarded"))
            } else {
                forward(request, to: url, node: nodeID, responder)
            }
        case .unknown:
            responder.respond(Self.ownershipMoving("the owner of this state is changing"))
        }
        return true
    }

    static func ownershipMoving(_ detail: String) -> HTTPResponse {
        ProblemMapping.response(for: .unavailable(detail + "; retry"))
    }

    /// The state a request is about, from its route and parameters (the body for a create that names the queue
    /// or subscription there; the `Idempotency-Key` header for a produce); nil for requests any node serves.
    static func stateKey(of request: HTTPRequest, pattern: String) -> StateShardKey? {
        let topic = request.pathParameter("topic") ?? ""
        if pattern.hasPrefix("/v1/groups/{group}") {
            return .group(request.pathParameter("group") ?? "")
        }
        if pattern.hasPrefix("/v1/topics/{topic}/queues/{queue}") {
            return .queue(topic: topic, name: request.pathParameter("queue") ?? "")
        }
        if pattern.hasPrefix("/v1/topics/{topic}/subscriptions/{name}") {
            return .subscription(topic: topic, name: request.pathParameter("name") ?? "")
        }
        if request.method == .POST,
            pattern == "/v1/topics/{topic}/queues" || pattern == "/v1/topics/{topic}/subscriptions"
        {
            // A body without a usable name is the handler's to refuse (400), on any node.
            guard case .string(let name)? = (try? request.jsonObject())?["name"] else { return nil }
            return pattern.hasSuffix("/queues")
                ? .queue(topic: topic, name: name) : .subscription(topic: topic, name: name)
        }
        if request.method == .POST, pattern == "/v1/topics/{topic}/messages",
            let key = request.headers["Idempotency-Key"]
        {
            return .idempotency(topic: topic, key: key)
        }
        return nil
    }

    /// Sends `request` to the owner at `url` and relays its answer; an owner that cannot be reached gives 503.
    func forward(_ request: HTTPRequest, to url: String, node: String, _ responder: HTTPResponder) {
        guard let forwarder else {
            responder.respond(Self.ownershipMoving("this node cannot forward to the owner \(node)"))
            return
        }
        let headers = forwardedHeaders(of: request)
        // A long-poll waits up to wait_ms (at most 60 s) at the owner; the owner's own work gets 30 s more.
        let wait = request.queryItems.first { $0.name == "wait_ms" }.flatMap { Int($0.value) } ?? 60_000
        let outgoing = ForwardedRequest(
            method: request.method.description, url: Self.joined(url, request.target), headers: headers,
            body: request.body, timeoutMilliseconds: min(max(wait, 0), 60_000) + 30_000)
        let id = forwarder.forward(outgoing) { result in
            switch result {
            case .success(let answer):
                var relayed = HTTPHeaders()
                for (name, value) in answer.headers where !Self.hopByHopHeaders.contains(name.lowercased()) {
                    relayed.add(name: name, value: value)
                }
                responder.respond(HTTPResponse(status: HTTPStatus(answer.status), headers: relayed, body: answer.body))
            case .failure(let failure):
                responder.respond(Self.ownershipMoving("the owner \(node) did not answer (\(failure))"))
            }
        }
        responder.onClose { forwarder.cancel(id) }
    }

    /// `base` (no trailing slash needed) followed by an origin-form `target`.
    static func joined(_ base: String, _ target: String) -> String {
        base.hasSuffix("/") ? String(base.dropLast()) + target : base + target
    }
}
