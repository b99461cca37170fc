import FerryBroker
import FerryTesting
import Synchronization
import Testing

/// Fixed topic offsets for the coordinator's pure-logic tests (the integration tests use the real log).
final class TopicTable: GroupTopicSource, Sendable {
    let table = Mutex<[String: [(start: Int64, end: Int64)]]>([:])
    func set(_ topic: String, _ ranges: [(Int64, Int64)]) { table.withLock { $0[topic] = ranges.map { ($0.0, $0.1) } } }
    func partitionCount(of topic: String) -> Int? { table.withLock { $0[topic]?.count } }
    func offsetRange(of partition: TopicPartition) -> (start: Int64, end: Int64)? {
        table.withLock {
            $0[partition.topic].flatMap { partition.partition < $0.count ? $0[partition.partition] : nil }
        }
    }
}

/// Records journal entries in order, durable at once.
final class JournalRecorder: GroupJournal, Sendable {
    let entries = Mutex<[GroupJournalEntry]>([])
    func append(_ new: [GroupJournalEntry], onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void) {
        entries.withLock { $0 += new }
        onDurable(.success(()))
    }
}

struct GroupCoordinatorTests {
    let topics = TopicTable()
    let journal = JournalRecorder()
    let clock = ManualClock()

    func makeCoordinator() -> GroupCoordinator {
        let counter = Atomic<Int>(0)
        return GroupCoordinator(topics: topics, journal: journal, now: clock.now) { group in
            "\(group)-m\(counter.add(1, ordering: .relaxed).newValue)"
        }
    }

    @Test func join_AssignsAllPartitions_ToFirstMember() throws {
        topics.set("orders", [(0, 10), (0, 5), (0, 0)])
        let coordinator = makeCoordinator()
        let joined = try coordinator.join(group: "g", options: .init(topics: ["orders"]))
        #expect(joined.assignments.map(\.partition) == [0, 1, 2])
    }

    @Test func join_Throws_WhenTopicMissing() {
        #expect(throws: BrokerError.topicNotFound("nope")) {
            try makeCoordinator().join(group: "g", options: .init(topics: ["nope"]))
        }
    }

    @Test func join_SplitsPartitions_AndLeaveGivesThemBack() throws {
        topics.set("t", [(0, 0), (0, 0), (0, 0), (0, 0)])
        let coordinator = makeCoordinator()
        let a = try coordinator.join(group: "g", options: .init(topics: ["t"]))
        let b = try coordinator.join(group: "g", options: .init(topics: ["t"]))
        let description = try coordinator.describe(group: "g")
        let owned = description.members.map { Set($0.assignments) }
        #expect(owned.map(\.count) == [2, 2])
        #expect(owned[0].isDisjoint(with: owned[1]))
        try coordinator.leave(group: "g", memberID: b.memberID)
        #expect(try coordinator.describe(group: "g").members.first?.assignments.count == 4)
        #expect(throws: BrokerError.memberNotFound(group: "g", member: b.memberID)) {
            try coordinator.leave(group: "g", memberID: b.memberID)
        }
        _ = a
    }

    @Test func beginFetch_StartsAtLatest_OrEarliest_ByReset() throws {
        topics.set("t", [(3, 10)])
        let coordinator = makeCoordinator()
        let latest = try coordinator.join(group: "g1", options: .init(topics: ["t"], autoOffsetReset: .latest))
        #expect(try coordinator.beginFetch(group: "g1", memberID: latest.memberID).positions.map(\.offset) == [10])
        let earliest = try coordinator.join(group: "g2", options: .init(topics: ["t"], autoOffsetReset: .earliest))
        #expect(try coordinator.beginFetch(group: "g2", memberID: earliest.memberID).positions.map(\.offset) == [3])
    }

    @Test func commit_ThenRejoin_ResumesAtCommittedOffset() throws {
        topics.set("t", [(0, 100)])
        let coordinator = makeCoordinator()
        let m = try coordinator.join(group: "g", options: .init(topics: ["t"], autoOffsetReset: .earliest))
        let plan = try coordinator.beginFetch(group: "g", memberID: m.memberID)
        let tp = TopicPartition(topic: "t", partition: 0)
        coordinator.completeFetch(plan, advanced: [tp: (0, 40)])
        try coordinator.commit(group: "g", memberID: m.memberID, offsets: nil) { _ in }
        try coordinator.leave(group: "g", memberID: m.memberID)
        let again = try coordinator.join(group: "g", options: .init(topics: ["t"]))
        #expect(try coordinator.beginFetch(group: "g", memberID: again.memberID).positions.map(\.offset) == [40])
        let offsets = try coordinator.describe(group: "g").offsets
        #expect(offsets.map(\.committedOffset) == [40] && offsets.map(\.lag) == [60])
        #expect(journal.entries.withLock { $0 }.contains(.committed(group: "g", partition: tp, offset: 40)))
    }

    @Test func commit_Rejects_PartitionNotOwned_AndCommitsNothing() throws {
        topics.set("t", [(0, 9), (0, 9)])
        let coordinator = makeCoordinator()
        let a = try coordinator.join(group: "g", options: .init(topics: ["t"]))
        _ = try coordinator.join(group: "g", options: .init(topics: ["t"]))
        let mine = try coordinator.describe(group: "g").members[0].assignments[0]
        let other = TopicPartition(topic: "t", partition: 1 - mine.partition)
        #expect(throws: BrokerError.notPartitionOwner(topic: "t", partition: other.partition)) {
            try coordinator.commit(group: "g", memberID: a.memberID, offsets: [(mine, 5), (other, 5)]) { _ in }
        }
        #expect(try coordinator.describe(group: "g").offsets.allSatisfy { $0.committedOffset == nil })
    }

    @Test func evictExpiredMembers_RemovesSilentMember_ButNotOneWithHeldFetch() throws {
        topics.set("t", [(0, 0), (0, 0)])
        let coordinator = makeCoordinator()
        let a = try coordinator.join(group: "g", options: .init(topics: ["t"], sessionTimeoutMilliseconds: 1000))
        let b = try coordinator.join(group: "g", options: .init(topics: ["t"], sessionTimeoutMilliseconds: 1000))
        let token = try #require(coordinator.beginHold(group: "g", memberID: b.memberID) {})
        clock.advance(by: 1001)
        #expect(coordinator.evictExpiredMembers() == [a.memberID])
        #expect(try coordinator.describe(group: "g").members.map(\.assignments.count) == [2])
        coordinator.endHold(group: "g", memberID: b.memberID, token: token)
        clock.advance(by: 1001)
        #expect(coordinator.evictExpiredMembers() == [b.memberID])
        #expect(try coordinator.describe(group: "g").members.isEmpty)
    }

    @Test func autoCommit_CommitsPreviousFetch_OnNextFetch() throws {
        topics.set("t", [(0, 50)])
        let coordinator = makeCoordinator()
        let m = try coordinator.join(
            group: "g", options: .init(topics: ["t"], autoOffsetReset: .earliest, autoCommit: true))
        let plan = try coordinator.beginFetch(group: "g", memberID: m.memberID)
        coordinator.completeFetch(plan, advanced: [TopicPartition(topic: "t", partition: 0): (0, 20)])
        #expect(try coordinator.describe(group: "g").offsets[0].committedOffset == nil)
        _ = try coordinator.beginFetch(group: "g", memberID: m.memberID)
        #expect(try coordinator.describe(group: "g").offsets[0].committedOffset == 20)
    }

    @Test func resetOffsets_RequiresEmptyGroup_AndRestoreReplaysJournal() throws {
        topics.set("t", [(2, 30), (0, 7)])
        let coordinator = makeCoordinator()
        try coordinator.resetOffsets(group: "g", topic: "t", partition: nil, to: .latest) { _ in }
        #expect(try coordinator.describe(group: "g").offsets.map(\.committedOffset) == [30, 7])
        try coordinator.resetOffsets(group: "g", topic: "t", partition: 0, to: .earliest) { _ in }
        #expect(throws: BrokerError.offsetOutOfRange(requested: 99, startOffset: 0, endOffset: 7)) {
            try coordinator.resetOffsets(group: "g", topic: "t", partition: 1, to: .offset(99)) { _ in }
        }
        let m = try coordinator.join(group: "g", options: .init(topics: ["t"]))
        #expect(throws: BrokerError.groupNotEmpty("g")) {
            try coordinator.resetOffsets(group: "g", topic: "t", partition: nil, to: .earliest) { _ in }
        }
        #expect(throws: BrokerError.groupNotEmpty("g")) { try coordinator.delete(group: "g") }
        try coordinator.leave(group: "g", memberID: m.memberID)

        let restored = makeCoordinator()
        restored.restore(journal.entries.withLock { $0 })
        #expect(try restored.describe(group: "g").offsets.map(\.committedOffset) == [2, 7])
        try restored.delete(group: "g")
        #expect(throws: BrokerError.groupNotFound("g")) { try restored.describe(group: "g") }
    }
}

struct GroupCoordinatorCallbackTests {
    @Test func onDurable_RunsOutsideTheLock_SoItMayReadTheCoordinator() throws {
        let topics = TopicTable()
        topics.set("t", [(0, 5)])
        let coordinator = GroupCoordinator(topics: topics, journal: JournalRecorder(), now: { 0 })
        let described = Mutex<[Int64?]>([])
        try coordinator.resetOffsets(group: "g", topic: "t", partition: nil, to: .latest) { _ in
            // The recorder reports durability synchronously, inside `append`: this must not deadlock.
            let offsets = (try? coordinator.describe(group: "g").offsets.map(\.committedOffset)) ?? []
            described.withLock { $0 = offsets }
        }
        #expect(described.withLock { $0 } == [5])
        let member = try coordinator.join(group: "h", options: .init(topics: ["t"]))
        let members = Mutex<Int>(-1)
        try coordinator.commit(group: "h", memberID: member.memberID, offsets: nil) { _ in
            members.withLock { $0 = (try? coordinator.describe(group: "h").members.count) ?? -1 }
        }
        #expect(members.withLock { $0 } == 1)
    }
}
