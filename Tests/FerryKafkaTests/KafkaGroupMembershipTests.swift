import FerryKafka
import FerrySystem
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("KafkaGroupMembership against a 3-broker mock cluster")
struct KafkaGroupMembershipTests {
    /// Changes seen by one member, and the partitions it holds by replaying them.
    final class Recorder: Sendable {
        let changes = Mutex<[KafkaGroupMembership.Change]>([])
        var held: Set<Int32> {
            changes.withLock { changes in
                var held = Set<Int32>()
                for change in changes {
                    switch change {
                    case .assigned(let partitions): held.formUnion(partitions)
                    case .revoked(let partitions): held.subtract(partitions)
                    }
                }
                return held
            }
        }
    }

    func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Double(MonotonicClock.nanoseconds()) + seconds * 1e9
        while Double(MonotonicClock.nanoseconds()) < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test("members share the partitions, and a member that leaves hands its partitions to the others")
    func members_SharePartitions_AndLeavingHandsThemOver() throws {
        let fixture = try MockClusterFixture.make(topic: "shards", partitions: 6)
        let recorders = [Recorder(), Recorder()]
        let members = try recorders.map { recorder in
            try KafkaGroupMembership(
                configuration: fixture.configuration, groupID: "owners", topic: "shards",
                sessionTimeout: .seconds(3)
            ) { change in recorder.changes.withLock { $0.append(change) } }
        }
        defer { members.forEach { $0.close() } }
        // Both members hold some partitions, together all of them, none twice.
        #expect(
            waitUntil(seconds: 20) {
                recorders.allSatisfy { !$0.held.isEmpty } && recorders[0].held.union(recorders[1].held).count == 6
            })
        #expect(recorders[0].held.isDisjoint(with: recorders[1].held))
        #expect(members[0].assigned == recorders[0].held)
        // The first leaves: its partitions are revoked (told before it returns), and the other gets them all.
        members[0].close()
        #expect(recorders[0].held.isEmpty)
        #expect(waitUntil(seconds: 20) { recorders[1].held == Set(0..<6) })
    }
}
