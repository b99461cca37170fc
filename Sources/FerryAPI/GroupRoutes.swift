import FerryBroker
import FerryHTTP
import FerryJSON
import FerryMessageJSON
import Synchronization

/// `/v1/groups…`: membership, member fetch (long-poll), commit, describe, list, delete, offset reset.
extension FerryAPI {
    func addGroupRoutes(to router: inout Router) {
        router.add(.POST, "/v1/groups/{group}/members", needs: .consume(.group, .body("topics"))) {
            [self] request, responder in
            guarded(responder) { () throws(APIFailure) in try join(request, responder) }
        }
        router.add(.GET, "/v1/groups/{group}/members/{member}/messages", needs: .consume(.group)) {
            [self] request, responder in
            guarded(responder) { () throws(APIFailure) in try memberFetch(request, responder) }
        }
        router.add(.POST, "/v1/groups/{group}/members/{member}/commit", needs: .consume(.group)) {
            [self] request, responder in
            guarded(responder) { () throws(APIFailure) in try commit(request, responder) }
        }
        router.add(.DELETE, "/v1/groups/{group}/members/{member}", needs: .consume(.group)) {
            [self] request, responder in
            guarded(responder) { () throws(APIFailure) in
                try APIFailure.mapping { () throws(BrokerError) in
                    let group = request.pathParameter("group") ?? ""
                    try groups(group).leave(group: group, memberID: request.pathParameter("member") ?? "")
                }
                responder.respond(HTTPResponse(status: .noContent))
            }
        }
        router.add(.GET, "/v1/groups", needs: .authenticated) { [self] request, responder in
            // A group is listed when the token may see every topic it subscribes to (as for describing it).
            let visible = topicVisibility(for: request)
            var writer = JSONWriter(capacity: 256)
            writer.beginObject()
            writer.key(ascii: "groups")
            writer.beginArray()
            let listed = broker.localShards.flatMap { shard in
                shard.groups.list().filter { shard.groups.topics(ofGroup: $0.group).allSatisfy(visible) }
            }
            for group in listed.sorted(by: { $0.group.utf8.lexicographicallyPrecedes($1.group.utf8) }) {
                writer.beginObject()
                writer.key(ascii: "group")
                writer.string(group.group)
                writer.key(ascii: "member_count")
                writer.int64(Int64(group.memberCount))
                writer.key(ascii: "topics")
                writer.beginArray()
                for topic in group.topics { writer.string(topic) }
                writer.endArray()
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
            respondWithClusterList(
                request, member: "groups", sortKey: "group", localBody: writer.take(),
                responder)
        }
        router.add(.GET, "/v1/groups/{group}", needs: .read(.group)) { [self] request, responder in
            guarded(responder) { () throws(APIFailure) in
                responder.respond(.json(try describeGroup(request.pathParameter("group") ?? "")))
            }
        }
        router.add(.DELETE, "/v1/groups/{group}", needs: .admin(.group)) { [self] request, responder in
            guarded(responder) { () throws(APIFailure) in
                try APIFailure.mapping { () throws(BrokerError) in
                    let group = request.pathParameter("group") ?? ""
                    try groups(group).delete(group: group)
                }
                responder.respond(HTTPResponse(status: .noContent))
            }
        }
        router.add(.POST, "/v1/groups/{group}/offsets", needs: .admin(.group, .body("topic"))) {
            [self] request, responder in
            guarded(responder) { () throws(APIFailure) in try resetOffsets(request, responder) }
        }
    }

    func join(_ request: HTTPRequest, _ responder: HTTPResponder) throws(APIFailure) {
        let group = request.pathParameter("group") ?? ""
        let body = try request.jsonObject()
        guard let topics = try body.stringArray("topics"), !topics.isEmpty else {
            throw .parameter("topics", "must be a non-empty array of topic names")
        }
        let timeout = try body.int64("session_timeout_ms", in: 1000...300_000, default: 30_000)
        var reset = OffsetReset.latest
        if let text = try body.string("auto_offset_reset") {
            guard let parsed = OffsetReset(rawValue: text) else {
                throw .parameter("auto_offset_reset", "must be 'earliest' or 'latest'")
            }
            reset = parsed
        }
        let autoCommit = try body.bool("auto_commit") ?? false
        let options = GroupMemberOptions(
            topics: Array(Set(topics)).sorted(), sessionTimeoutMilliseconds: timeout, autoOffsetReset: reset,
            autoCommit: autoCommit)
        let result: GroupJoinResult = try APIFailure.mapping { () throws(BrokerError) in
            try groups(group).join(group: group, options: options)
        }
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key(ascii: "member_id")
        writer.string(result.memberID)
        writer.key(ascii: "group")
        writer.string(result.group)
        writer.key(ascii: "assignments")
        Self.writeAssignments(result.assignments, into: &writer)
        writer.endObject()
        responder.respond(.json(writer.take(), status: .created))
    }

    static func writeAssignments(_ assignments: [TopicPartition], into writer: inout JSONWriter) {
        writer.beginArray()
        for tp in assignments {
            writer.beginObject()
            writer.key(ascii: "topic")
            writer.string(tp.topic)
            writer.key(ascii: "partition")
            writer.int64(Int64(tp.partition))
            writer.endObject()
        }
        writer.endArray()
    }

    func memberFetch(_ request: HTTPRequest, _ responder: HTTPResponder) throws(APIFailure) {
        let group = request.pathParameter("group") ?? ""
        let member = request.pathParameter("member") ?? ""
        let limits = try FetchLimits(request)
        let (coordinator, plan) = try APIFailure.mapping { () throws(BrokerError) in
            let coordinator = try groups(group)
            return (coordinator, try coordinator.beginFetch(group: group, memberID: member))
        }
        readGroup(plan, coordinator: coordinator, limits: limits) { [self] first in
            guard first.count == 0, limits.waitMilliseconds > 0 else {
                responder.respond(.json(first.body))
                return
            }
            hold(
                group: group, member: member, coordinator: coordinator, limits: limits, positions: plan.positions,
                responder: responder)
        }
    }

    /// Parks a member fetch that found nothing until data, a rebalance, the deadline or the client leaving, then
    /// fetches again.
    func hold(
        group: String, member: String, coordinator: GroupCoordinator, limits: FetchLimits,
        positions: [(TopicPartition, Int64)], responder: HTTPResponder
    ) {
        // The rebalance callback is registered before the wake-up exists; it finds it through this box.
        let box = Mutex<Wakeup?>(nil)
        guard
            let token = coordinator.beginHold(
                group: group, memberID: member, onRebalance: { box.withLock { $0 }?.fire(.rebalance) })
        else {
            responder.respond(APIFailure(BrokerError.memberNotFound(group: group, member: member)).response)
            return
        }
        let wakeup = Wakeup(timers: timers) { [self] _ in
            coordinator.endHold(group: group, memberID: member, token: token)
            do throws(APIFailure) {
                let plan: GroupFetchPlan = try APIFailure.mapping { () throws(BrokerError) in
                    try coordinator.beginFetch(group: group, memberID: member)
                }
                readGroup(plan, coordinator: coordinator, limits: limits) { answer in
                    responder.respond(.json(answer.body))
                }
            } catch {
                responder.respond(error.response)
            }
        }
        box.withLock { $0 = wakeup }
        var partitions: [(storage: any PartitionStorage, offset: Int64)] = []
        for (tp, offset) in positions {
            if let storage = try? broker.partition(topic: tp.topic, partition: tp.partition) {
                partitions.append((storage, offset))
            }
        }
        hold(wakeup, responder: responder, waitMilliseconds: limits.waitMilliseconds, on: partitions)
    }

    /// One member fetch: reads the member's partitions from its positions, in turn, within the limits, records
    /// how far each advanced, and calls `completion` with `{"messages": [...], "assignments": [...]}` (where the
    /// last read completes).
    func readGroup(
        _ plan: GroupFetchPlan, coordinator: GroupCoordinator, limits: FetchLimits,
        completion: @escaping @Sendable (_ answer: (body: [UInt8], count: Int)) -> Void
    ) {
        let fetch = GroupFetch(limits: limits)
        fetch.read(plan.positions[...], broker: broker) {
            let (body, count, advanced) = fetch.finish { writer in
                writer.key(ascii: "assignments")
                Self.writeAssignments(plan.assignments, into: &writer)
            }
            coordinator.completeFetch(plan, advanced: advanced)
            completion((body, count))
        }
    }

    func commit(_ request: HTTPRequest, _ responder: HTTPResponder) throws(APIFailure) {
        let group = request.pathParameter("group") ?? ""
        let member = request.pathParameter("member") ?? ""
        let body = try request.jsonObject(emptyAllowed: true)
        var offsets: [(partition: TopicPartition, offset: Int64)]?
        if let value = body["offsets"], !value.isNull {
            guard case .array(let items) = value else { throw .parameter("offsets", "must be an array") }
            var list: [(partition: TopicPartition, offset: Int64)] = []
            for item in items {
                guard case .object(let entry) = item, let topic = try entry.string("topic") else {
                    throw .parameter("offsets", "each entry needs topic, partition and offset")
                }
                guard let partition = try entry.int64("partition", in: 0...Int64(Int32.max)),
                    let offset = try entry.int64("offset", in: 0...Int64.max)
                else { throw .parameter("offsets", "each entry needs topic, partition and offset") }
                list.append((TopicPartition(topic: topic, partition: Int(partition)), offset))
            }
            offsets = list
        }
        try APIFailure.mapping { () throws(BrokerError) in
            try groups(group).commit(group: group, memberID: member, offsets: offsets) { result in
                switch result {
                case .success: responder.respond(HTTPResponse(status: .noContent))
                case .failure(let error): responder.respond(ProblemMapping.response(for: error))
                }
            }
        }
    }

    func resetOffsets(_ request: HTTPRequest, _ responder: HTTPResponder) throws(APIFailure) {
        let group = request.pathParameter("group") ?? ""
        let body = try request.jsonObject()
        guard let topic = try body.string("topic") else { throw .parameter("topic", "is required") }
        let partition = try body.int64("partition", in: 0...Int64(Int32.max)).map { Int($0) }
        let target: OffsetResetTarget
        switch body["to"] {
        case .string("earliest"): target = .earliest
        case .string("latest"): target = .latest
        case .object(let object) where object["offset"] != nil:
            target = .offset(try object.requiredInt64("offset", in: 0...Int64.max))
        case .object(let object) where object["timestamp"] != nil:
            target = .timestamp(try object.requiredInt64("timestamp", in: 0...Int64.max))
        default:
            throw .parameter("to", "must be \"earliest\", \"latest\", {\"offset\": N} or {\"timestamp\": T}")
        }
        try APIFailure.mapping { () throws(BrokerError) in
            try broker.resetGroupOffsets(group: group, topic: topic, partition: partition, to: target) {
                [self] result in
                switch result {
                case .success:
                    // The coordinator calls this after releasing its lock, so describing here is safe.
                    do throws(APIFailure) {
                        responder.respond(.json(try describeGroup(group)))
                    } catch {
                        responder.respond(error.response)
                    }
                case .failure(let error):
                    responder.respond(ProblemMapping.response(for: error))
                }
            }
        }
    }

    func describeGroup(_ group: String) throws(APIFailure) -> [UInt8] {
        let description: GroupDescription = try APIFailure.mapping { () throws(BrokerError) in
            try groups(group).describe(group: group)
        }
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        writer.key(ascii: "group")
        writer.string(description.group)
        writer.key(ascii: "members")
        writer.beginArray()
        for member in description.members {
            writer.beginObject()
            writer.key(ascii: "member_id")
            writer.string(member.memberID)
            writer.key(ascii: "topics")
            writer.beginArray()
            for topic in member.topics { writer.string(topic) }
            writer.endArray()
            writer.key(ascii: "assignments")
            Self.writeAssignments(member.assignments, into: &writer)
            writer.endObject()
        }
        writer.endArray()
        writer.key(ascii: "offsets")
        writer.beginArray()
        for offset in description.offsets {
            writer.beginObject()
            writer.key(ascii: "topic")
            writer.string(offset.partition.topic)
            writer.key(ascii: "partition")
            writer.int64(Int64(offset.partition.partition))
            writer.key(ascii: "committed_offset")
            if let committed = offset.committedOffset { writer.int64(committed) } else { writer.null() }
            writer.key(ascii: "end_offset")
            writer.int64(offset.endOffset)
            writer.key(ascii: "lag")
            writer.int64(offset.lag)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.take()
    }
}
