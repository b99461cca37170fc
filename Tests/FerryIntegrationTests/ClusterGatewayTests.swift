import Dispatch
import FerryAPITesting
import FerryBroker
import FerryHTTP
import FerryJSON
import FerryTesting
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Three `ferry serve --storage kafka` gateways on one mock Kafka cluster, driven by clients that send every
/// request to a random node (API.md "Storage engines and clusters"): groups, queues and webhook subscriptions
/// behave as on one node, and survive a kill -9 of their owner.
@Suite("Gateways sharing a Kafka cluster", .serialized)
struct ClusterGatewayTests {
    /// What the consumers of a group did: offsets consumed (fetched, then committed with 204), and offsets whose
    /// commit got no answer (the node died under it: committed or not, nobody can say).
    final class Consumption: Sendable {
        let consumed = Mutex<[String: Int]>([:])
        let uncertain = Mutex<Set<String>>([])
        /// Whether the owner was killed along the way.
        let ownerKilled = Atomic<Bool>(false)
        /// The group says its commits reached the end of every partition (some commits' answers were lost:
        /// only the group can tell).
        let drained = Atomic<Bool>(false)
        var count: Int { consumed.withLock { $0.count } }
        var duplicates: [String] { consumed.withLock { $0.filter { $0.value > 1 }.map(\.key).sorted() } }
    }

    static func id(_ message: JSONValue) -> String {
        "\(message["partition"].int ?? -1)/\(message["offset"].int ?? -1)"
    }

    static func produce(_ cluster: GatewayCluster, topic: String, count: Int) async throws {
        for start in stride(from: 0, to: count, by: 50) {
            let records = (start..<min(start + 50, count)).map { #"{"key":"k\#($0)","value":\#($0)}"# }
            let body = #"{"records":[\#(records.joined(separator: ","))]}"#
            let answer = try await cluster.send { try await $0.post("/v1/topics/\(topic)/messages", json: body) }
            #expect(answer.status == 200, "produce: \(answer.text)")
        }
    }

    @Test func consumerGroup_ConsumesExactlyOnce_AcrossRebalancesALeavingMemberAndItsOwnerKilled() async throws {
        let total = 400
        let cluster = try await GatewayCluster.start(topics: ["orders:4"])
        defer { cluster.stop() }
        try await Self.produce(cluster, topic: "orders", count: total)
        let consumption = Consumption()
        // Room for a loaded machine: the whole test-suite on 2 cores stretched a run that takes ~60 s alone to
        // 146 s, past an earlier 90 s bound, with the group still draining. Lost commits never drain, so they
        // still fail it.
        let deadline = ContinuousClock.now + .seconds(240)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for member in 0..<4 {
                group.addTask {
                    try await Self.consume(
                        cluster, member: member, leavesAfter: member == 3 ? 3 : nil,
                        consumption: consumption, deadline: deadline)
                }
            }
            group.addTask {
                while ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(200))
                    guard let client = cluster.anyClient(),
                        let described = try? await client.get("/v1/groups/billing"), described.status == 200,
                        let offsets = described["offsets"].list, offsets.count == 4,
                        offsets.allSatisfy({ $0["committed_offset"].int == $0["end_offset"].int })
                    else { continue }
                    consumption.drained.store(true, ordering: .releasing)
                    return
                }
            }
            group.addTask {
                // Once a third is consumed, kill -9 the group's owner; later start it again with the same id.
                while consumption.count < total / 3, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                guard let owner = try await cluster.owner(of: .group("billing")) else { return }
                cluster.kill(owner)
                consumption.ownerKilled.store(true, ordering: .releasing)
                try await cluster.waitUntilSettled(alive: Set(cluster.aliveIndices))
                // The node restarted with the same id rejoins: all three hold shards again.
                try await cluster.startNode(owner)
                try await cluster.waitUntilSettled(alive: Set(0..<3))
            }
            try await group.waitForAll()
        }
        let ownerWasKilled = consumption.ownerKilled.load(ordering: .acquiring)
        #expect(ownerWasKilled)
        #expect(consumption.duplicates.isEmpty, "consumed twice: \(consumption.duplicates)")
        let consumed = consumption.consumed.withLock { Set($0.keys) }
        let uncertain = consumption.uncertain.withLock { $0 }
        #expect(consumed.count + uncertain.subtracting(consumed).count >= total, "consumed \(consumed.count)")
        // Every committed offset survived the owner's death: the group's commits reach the end of every partition.
        let described = try await cluster.send { try await $0.get("/v1/groups/billing") }
        let offsets = described["offsets"].list ?? []
        #expect(offsets.count == 4)
        for offset in offsets {
            #expect(offset["committed_offset"].int == offset["end_offset"].int, "\(offset)")
        }
    }

    /// One member: joins (again when the group forgot it), fetches, commits; leaves after `leavesAfter` rounds.
    ///
    /// A commit the group refused (409: a partition of it was rebalanced away) or that got no answer leaves the
    /// member's position advanced on the partitions it kept: the group delivers those messages to nobody again
    /// (positions live at the server, as API.md says), so the member commits them with its next commit, like a
    /// Kafka consumer whose next commit carries its position. It forgets them for a partition it no longer holds
    /// (the next owner starts at the committed offset) or that restarts below them.
    static func consume(
        _ cluster: GatewayCluster, member index: Int, leavesAfter: Int?, consumption: Consumption,
        deadline: ContinuousClock.Instant
    ) async throws {
        var memberID: String?
        var rounds = 0
        var pending = PendingCommit()
        while !consumption.drained.load(ordering: .acquiring), ContinuousClock.now < deadline {
            if memberID == nil {
                let joined = try await cluster.send {
                    try await $0.post(
                        "/v1/groups/billing/members",
                        json: #"{"topics":["orders"],"auto_offset_reset":"earliest","session_timeout_ms":6000}"#)
                }
                memberID = joined["member_id"].str
                pending = PendingCommit()
                continue
            }
            guard let id = memberID else { continue }
            let fetched = try await cluster.send {
                try await $0.get("/v1/groups/billing/members/\(id)/messages?wait_ms=300&limit=25")
            }
            if fetched.status == 404 {
                memberID = nil  // the group forgot this member (its owner changed, or it was evicted): join again
                continue
            }
            guard fetched.status == 200 else { continue }
            rounds += 1
            let held = Set((fetched["assignments"].list ?? []).compactMap { $0["partition"].int })
            pending.add(fetched.messages, holding: held)
            // Commit exactly what this member was given and holds: a partition rebalanced away meanwhile refuses
            // the whole commit (409, nothing committed). A body-less commit would commit only the partitions still
            // owned and answer 204, which says nothing about the others.
            var committed: APIResponse?
            if !pending.next.isEmpty, let client = cluster.anyClient() {
                let offsets = pending.next.map { #"{"topic":"orders","partition":\#($0.key),"offset":\#($0.value)}"# }
                committed = try? await client.post(
                    "/v1/groups/billing/members/\(id)/commit",
                    json: #"{"offsets":[\#(offsets.joined(separator: ","))]}"#)
            }
            switch committed?.status {
            case 204?:
                let ids = pending.ids
                consumption.consumed.withLock { consumed in for id in ids { consumed[id, default: 0] += 1 } }
                pending = PendingCommit()
            case nil, 503?:
                // No answer, or a node whose forward lost the owner mid-request: the commit may have landed.
                consumption.uncertain.withLock { $0.formUnion(pending.ids) }
            default:
                break  // refused (rebalanced away, ownership moving): committed again with the next round
            }
            if let leavesAfter, rounds >= leavesAfter {
                _ = try await cluster.send { try await $0.delete("/v1/groups/billing/members/\(id)") }
                return
            }
        }
    }

    /// Messages a member was given and has not had a 204 commit for, per partition.
    struct PendingCommit {
        /// Partition → the offset to commit (after its last message).
        var next: [Int64: Int64] = [:]
        var idsByPartition: [Int64: [String]] = [:]
        var ids: [String] { idsByPartition.values.flatMap { $0 } }

        /// Adds a fetch's messages; drops what is pending on a partition the member no longer holds, or one the
        /// group handed back at an earlier offset (it moved away and came back: the group delivers it again).
        mutating func add(_ messages: [JSONValue], holding held: Set<Int64>) {
            for partition in next.keys where !held.contains(partition) { drop(partition) }
            for message in messages {
                guard let partition = message["partition"].int, let offset = message["offset"].int else { continue }
                if let pending = next[partition], offset < pending { drop(partition) }
                next[partition] = max(next[partition] ?? 0, offset + 1)
                idsByPartition[partition, default: []].append(ClusterGatewayTests.id(message))
            }
        }

        private mutating func drop(_ partition: Int64) {
            next[partition] = nil
            idsByPartition[partition] = nil
        }
    }
}

extension ClusterGatewayTests {
    /// What queue workers did: jobs acked `ok` (each must be once), receipts received per job.
    final class QueueWork: Sendable {
        let acked = Mutex<[String: Int]>([:])
        let deliveries = Mutex<[String: Int]>([:])
        /// Jobs whose ack got no answer (its node died under it): acked or not, the worker cannot tell.
        let uncertain = Mutex<Set<String>>([])
        /// Jobs received again after an ack answered `ok` (must stay empty).
        let redeliveredAfterAck = Mutex<[String]>([])
        let ownerKilled = Atomic<Bool>(false)
        /// The queue says every job is acked (some acks' answers were lost: only the queue can tell).
        let drained = Atomic<Bool>(false)
        var ackedCount: Int { acked.withLock { $0.count } }
        var settledCount: Int {
            let acked = acked.withLock { Set($0.keys) }
            return acked.count + uncertain.withLock { $0.subtracting(acked).count }
        }
    }

    @Test func queue_SixteenWorkersDrainItExactlyOnce_ThroughAKilledOwner() async throws {
        let total = 300
        let cluster = try await GatewayCluster.start(topics: ["jobs:4"])
        defer { cluster.stop() }
        try await Self.produce(cluster, topic: "jobs", count: total)
        let created = try await cluster.send {
            try await $0.post("/v1/topics/jobs/queues", json: #"{"name":"work","start":"earliest"}"#)
        }
        #expect(created.status == 201, "\(created.text)")
        try await Self.expectListsSpanTheCluster(cluster)
        let work = QueueWork()
        let deadline = ContinuousClock.now + .seconds(90)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask { try await Self.work(cluster, work: work, deadline: deadline) }
            }
            group.addTask {
                while ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(200))
                    guard work.settledCount >= total, let client = cluster.anyClient(),
                        let status = try? await client.get("/v1/topics/jobs/queues/work"), status.status == 200,
                        status["acked"].int == Int64(total)
                    else { continue }
                    work.drained.store(true, ordering: .releasing)
                    return
                }
            }
            group.addTask {
                while work.ackedCount < total / 3, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                guard let owner = try await cluster.owner(of: .queue(topic: "jobs", name: "work")) else { return }
                cluster.kill(owner)
                work.ownerKilled.store(true, ordering: .releasing)
            }
            try await group.waitForAll()
        }
        let ownerWasKilled = work.ownerKilled.load(ordering: .acquiring)
        #expect(ownerWasKilled)
        let acked = work.acked.withLock { $0 }
        #expect(work.settledCount == total, "acked \(acked.count) of \(total)")
        let redelivered = work.redeliveredAfterAck.withLock { $0 }
        #expect(redelivered.isEmpty, "delivered again after an ok ack: \(redelivered)")
        #expect(acked.values.allSatisfy { $0 == 1 }, "acked twice: \(acked.filter { $0.value > 1 }.keys.sorted())")
        let status = try await cluster.send { try await $0.get("/v1/topics/jobs/queues/work") }
        #expect(status["acked"].int == Int64(total) && status["available"].int == 0, "\(status.text)")
    }

    /// Groups and queues land on the owners of their shards; any node lists all of them, sorted.
    static func expectListsSpanTheCluster(_ cluster: GatewayCluster) async throws {
        let groups = (0..<6).map { "list-\($0)" }
        for group in groups {
            let joined = try await cluster.send {
                try await $0.post("/v1/groups/\(group)/members", json: #"{"topics":["jobs"]}"#)
            }
            #expect(joined.status == 200 || joined.status == 201, "\(joined.text)")
        }
        let queues = (0..<5).map { "extra-\($0)" }
        for queue in queues {
            let made = try await cluster.send {
                try await $0.post("/v1/topics/jobs/queues", json: #"{"name":"\#(queue)"}"#)
            }
            #expect(made.status == 201, "\(made.text)")
        }
        let nodes = try await cluster.describe()?["nodes"].list ?? []
        let owners = nodes.filter { node in (node["owns"].flatMap { $0["groups"].int } ?? 0) > 0 }.count
        #expect(owners > 1, "the groups should spread over several owners: \(nodes)")
        for index in cluster.aliveIndices {
            let client = try #require(cluster.client(index))
            let listedGroups = try await client.get("/v1/groups")
            #expect(
                listedGroups["groups"].list?.compactMap { $0["group"].str } == groups, "n\(index): \(listedGroups.text)"
            )
            let listedQueues = try await client.get("/v1/topics/jobs/queues")
            #expect(
                listedQueues["queues"].list?.compactMap { $0["name"].str } == queues + ["work"],
                "n\(index): \(listedQueues.text)")
        }
    }

    /// One worker: receives up to 5 jobs (3 s lease) from a random node and acks them through another.
    static func work(_ cluster: GatewayCluster, work: QueueWork, deadline: ContinuousClock.Instant)
        async throws
    {
        let path = "/v1/topics/jobs/queues/work"
        while !work.drained.load(ordering: .acquiring), ContinuousClock.now < deadline {
            let received = try await cluster.send {
                try await $0.post(path + "/receive", json: #"{"max_messages":5,"wait_ms":200,"lease_ms":3000}"#)
            }
            guard received.status == 200 else { continue }
            let messages = received.messages
            guard !messages.isEmpty else { continue }
            for message in messages {
                let id = Self.id(message)
                work.deliveries.withLock { $0[id, default: 0] += 1 }
                if work.acked.withLock({ $0[id] != nil }) { work.redeliveredAfterAck.withLock { $0.append(id) } }
            }
            let receipts = messages.compactMap { $0["receipt"].str }
            let list = receipts.map { #""\#($0)""# }.joined(separator: ",")
            // No retry: an ack lost with its node is redelivered after the lease (if it did not land), as for any
            // client.
            guard let client = cluster.anyClient() else { continue }
            guard let answer = try? await client.post(path + "/ack", json: #"{"receipts":[\#(list)]}"#) else {
                work.uncertain.withLock { $0.formUnion(messages.map(Self.id)) }
                continue
            }
            guard answer.status == 200 else {
                // A 503 may come from a node whose forward lost the owner mid-request: the ack may have landed.
                work.uncertain.withLock { $0.formUnion(messages.map(Self.id)) }
                continue
            }
            for (message, result) in zip(messages, answer["results"].list ?? []) where result["status"].str == "ok" {
                work.acked.withLock { $0[Self.id(message), default: 0] += 1 }
            }
        }
    }
}

extension ClusterGatewayTests {
    /// What the webhook receiver saw: batches per partition in arrival order, and how many were in flight at once
    /// per partition (more than one means two nodes delivered the same subscription at the same time).
    final class Pushes: Sendable {
        let batches = Mutex<[Int64: [[Int64]]]>([:])
        let inFlight = Mutex<[Int64: Int]>([:])
        let maxInFlight = Mutex(0)
        var delivered: Set<String> {
            batches.withLock { batches in
                Set(batches.flatMap { partition, list in list.flatMap { $0.map { "\(partition)/\($0)" } } })
            }
        }
    }

    @Test func webhook_DeliversEverythingInOrder_OneNodeAtATime_ThroughAKilledOwner() async throws {
        let total = 300
        let pushes = Pushes()
        let receiver = try TestHTTPReceiver { received, responder in
            let messages = received.messages
            let partition = messages.first?["partition"].int ?? -1
            pushes.batches.withLock { $0[partition, default: []].append(messages.compactMap { $0["offset"].int }) }
            let now = pushes.inFlight.withLock { inFlight in
                inFlight[partition, default: 0] += 1
                return inFlight[partition, default: 0]
            }
            pushes.maxInFlight.withLock { $0 = max($0, now) }
            // Answer a little later, so that a second sender would overlap.
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(30)) {
                pushes.inFlight.withLock { $0[partition, default: 1] -= 1 }
                responder.respond(HTTPResponse(status: .ok))
            }
        }
        defer { receiver.stop() }
        let cluster = try await GatewayCluster.start(topics: ["events:3"])
        defer { cluster.stop() }
        let created = try await cluster.send {
            try await $0.post(
                "/v1/topics/events/subscriptions",
                json: #"{"name":"audit","url":"\#(receiver.url())","start":"earliest","batch_size":10}"#)
        }
        #expect(created.status == 201, "\(created.text)")
        try await Self.produce(cluster, topic: "events", count: total / 3)
        try await Self.waitUntil(seconds: 30) { pushes.delivered.count >= total / 3 }
        let owner = try #require(try await cluster.owner(of: .subscription(topic: "events", name: "audit")))
        cluster.kill(owner)
        try await Self.produce(cluster, topic: "events", count: total - total / 3)
        try await Self.waitUntil(seconds: 60) { pushes.delivered.count >= total }

        #expect(pushes.delivered.count == total)
        #expect(pushes.maxInFlight.withLock { $0 } == 1)
        // In order per partition: every batch is consecutive offsets and starts at most one past what came before
        // (a batch the dead owner had not committed may come again; nothing is skipped).
        for (partition, batches) in pushes.batches.withLock({ $0 }) {
            var next: Int64 = 0
            for batch in batches {
                guard let first = batch.first else { continue }
                #expect(batch == Array(first..<first + Int64(batch.count)), "partition \(partition): \(batch)")
                #expect(first <= next, "partition \(partition) skipped from \(next) to \(first)")
                next = max(next, (batch.last ?? first) + 1)
            }
        }
    }

    static func waitUntil(seconds: Int, _ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<(seconds * 20) where !condition() { try await Task.sleep(for: .milliseconds(50)) }
    }
}
