import FerryAPITesting
import FerryBroker
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
        let deadline = ContinuousClock.now + .seconds(90)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for member in 0..<4 {
                group.addTask {
                    try await Self.consume(
                        cluster, member: member, leavesAfter: member == 3 ? 3 : nil, total: total,
                        consumption: consumption, deadline: deadline)
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
                try await cluster.startNode(owner)
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
    static func consume(
        _ cluster: GatewayCluster, member index: Int, leavesAfter: Int?, total: Int, consumption: Consumption,
        deadline: ContinuousClock.Instant
    ) async throws {
        var memberID: String?
        var rounds = 0
        while consumption.count + consumption.uncertain.withLock({ $0.count }) < total, ContinuousClock.now < deadline {
            if memberID == nil {
                let joined = try await cluster.send {
                    try await $0.post(
                        "/v1/groups/billing/members",
                        json: #"{"topics":["orders"],"auto_offset_reset":"earliest","session_timeout_ms":6000}"#)
                }
                memberID = joined["member_id"].str
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
            let ids = fetched.messages.map(Self.id)
            rounds += 1
            // A commit whose node dies under it may or may not have landed.
            var committed: APIResponse?
            if let client = cluster.anyClient() {
                committed = try? await client.post("/v1/groups/billing/members/\(id)/commit", json: "")
            }
            switch committed?.status {
            case 204?:
                consumption.consumed.withLock { consumed in for id in ids { consumed[id, default: 0] += 1 } }
            case nil:
                consumption.uncertain.withLock { $0.formUnion(ids) }
            default:
                break  // refused (rebalanced away, ownership moving): not consumed, delivered again
            }
            if let leavesAfter, rounds >= leavesAfter {
                _ = try await cluster.send { try await $0.delete("/v1/groups/billing/members/\(id)") }
                return
            }
        }
    }
}
