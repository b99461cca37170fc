import Synchronization

/// Consumer groups: membership, even partition assignment, positions, commits and lag.
///
/// The server rebalances by itself: every join, leave or eviction reassigns the group's partitions at once
/// (``PartitionAssignor``). A partition moving to a member starts at the group's committed offset, or, never
/// committed, at the position it got when first assigned in the group (start or end offset per the member's
/// `auto_offset_reset`).
///
/// Thread-safety: all state is behind one `Mutex`; every method may be called from any thread and never blocks
/// on I/O (journal appends are non-blocking; durability arrives through `onDurable` callbacks). Callbacks are
/// always invoked outside the lock.
public final class GroupCoordinator: Sendable {
    let topics: any GroupTopicSource
    let journal: any GroupJournal
    let now: @Sendable () -> Int64
    let newMemberID: @Sendable (String) -> String
    let state = Mutex(State())

    struct State {
        var groups: [String: ConsumerGroup] = [:]
        var nextWaiterToken = 0
        /// Members of groups whose membership another protocol runs (Kafka clients), as that protocol last
        /// reported them; not journaled (they rejoin after a restart).
        var externalMembers: [String: [GroupDescription.Member]] = [:]
    }

    /// - Parameters:
    ///   - now: wall-clock milliseconds (injected so session timeouts are testable without sleeping).
    ///   - newMemberID: makes a unique member id for a group name.
    public init(
        topics: any GroupTopicSource, journal: any GroupJournal, now: @escaping @Sendable () -> Int64,
        newMemberID: @escaping @Sendable (String) -> String = GroupCoordinator.randomMemberID
    ) {
        self.topics = topics
        self.journal = journal
        self.now = now
        self.newMemberID = newMemberID
    }

    /// `<group>-<16 random hex digits>`.
    public static func randomMemberID(group: String) -> String {
        let hex = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "\(group)-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Rebuilds groups and committed offsets from the journal (start-up, before any other call).
    public func restore(_ entries: [GroupJournalEntry]) {
        state.withLock { state in
            for entry in entries {
                switch entry {
                case .topics(let group, let topics):
                    state.groups[group, default: ConsumerGroup(name: group)].topics = topics
                case .committed(let group, let partition, let offset):
                    state.groups[group, default: ConsumerGroup(name: group)].committed[partition] = offset
                case .cleared(let group, let partition):
                    state.groups[group]?.committed[partition] = nil
                case .deleted(let group):
                    state.groups[group] = nil
                }
            }
        }
    }

    /// The durable state as journal entries (each group's topics and committed offsets), for compaction.
    public func snapshotEntries() -> [GroupJournalEntry] {
        state.withLock { Self.snapshotEntries(of: $0) }
    }

    static func snapshotEntries(of state: State) -> [GroupJournalEntry] {
        state.groups.sorted { $0.key < $1.key }.flatMap { name, g -> [GroupJournalEntry] in
            [.topics(group: name, topics: g.topics)]
                + g.committed.sorted { $0.key < $1.key }.map {
                    .committed(group: name, partition: $0.key, offset: $0.value)
                }
        }
    }

    /// Appends the durable state to the journal while holding the lock every change is journaled under (the
    /// journal's online compaction, see ``InternalLineJournal/compact(appendSnapshot:)``). Returns how many
    /// entries it appended.
    func appendSnapshot() -> Int {
        state.withLock { state in
            let entries = Self.snapshotEntries(of: state)
            journal.append(entries) { _ in }
            return entries.count
        }
    }

    // MARK: Membership

    /// Adds a member and rebalances its group (creating the group on first join).
    /// Throws `topicNotFound` for a topic that does not exist.
    public func join(group: String, options: GroupMemberOptions) throws(BrokerError) -> GroupJoinResult {
        try ResourceName.validate(group, kind: "group")
        for topic in options.topics where topics.partitionCount(of: topic) == nil { throw .topicNotFound(topic) }
        let memberID = newMemberID(group)
        let (result, wake): (GroupJoinResult, [@Sendable () -> Void]) = state.withLock { state in
            var g = state.groups[group] ?? ConsumerGroup(name: group)
            g.members.append(GroupMember(id: memberID, options: options, lastSeen: now()))
            let wake = rebalance(&g)
            state.groups[group] = g
            let assignments = g.members.last?.assignments ?? []  // the member appended above
            return (GroupJoinResult(memberID: memberID, group: group, assignments: assignments), wake)
        }
        wake.forEach { $0() }
        return result
    }

    /// Removes a member now and rebalances. Throws `memberNotFound`.
    public func leave(group: String, memberID: String) throws(BrokerError) {
        let wake: [@Sendable () -> Void] = try state.withLock { state throws(BrokerError) in
            guard var g = state.groups[group], let index = g.memberIndex(memberID) else {
                throw .memberNotFound(group: group, member: memberID)
            }
            g.members.remove(at: index)
            let wake = rebalance(&g)
            state.groups[group] = g
            return wake
        }
        wake.forEach { $0() }
    }

    /// Evicts members silent for longer than their session timeout (none with a held fetch) and rebalances
    /// their groups. Returns the evicted member ids.
    @discardableResult
    public func evictExpiredMembers() -> [String] {
        let time = now()
        let (evicted, wake): ([String], [@Sendable () -> Void]) = state.withLock { state in
            var evicted: [String] = []
            var wake: [@Sendable () -> Void] = []
            for (name, group) in state.groups {
                var g = group
                let expired = g.members.filter {
                    $0.heldFetches == 0 && time - $0.lastSeen > $0.options.sessionTimeoutMilliseconds
                }
                guard !expired.isEmpty else { continue }
                evicted += expired.map(\.id)
                g.members.removeAll { member in expired.contains { $0.id == member.id } }
                wake += rebalance(&g)
                state.groups[name] = g
            }
            return (evicted, wake)
        }
        wake.forEach { $0() }
        return evicted
    }

    /// Rebalances every group subscribed to `topic` (its partition count changed, or it was created/deleted).
    /// A deleted topic's committed offsets are cleared.
    public func topicChanged(_ topic: String, deleted: Bool) {
        let wake: [@Sendable () -> Void] = state.withLock { state in
            var wake: [@Sendable () -> Void] = []
            for (name, group) in state.groups {
                var g = group
                let affected = g.topics.contains(topic) || g.committed.keys.contains { $0.topic == topic }
                guard affected else { continue }
                if deleted {
                    let gone = g.committed.keys.filter { $0.topic == topic }
                    for partition in gone { g.committed[partition] = nil }
                    g.initialPositions = g.initialPositions.filter { $0.key.topic != topic }
                    for index in g.members.indices {
                        g.members[index].positions = g.members[index].positions.filter { $0.key.topic != topic }
                    }
                    if !gone.isEmpty {
                        journal.append(gone.map { .cleared(group: name, partition: $0) }) { _ in }
                    }
                }
                wake += rebalance(&g)
                state.groups[name] = g
            }
            return wake
        }
        wake.forEach { $0() }
    }

    /// Recomputes assignments; a partition new to a member gets its starting position. Returns the held
    /// fetches to wake (the caller invokes them after releasing the lock).
    func rebalance(_ g: inout ConsumerGroup) -> [@Sendable () -> Void] {
        let subscribed = Set(g.members.flatMap(\.options.topics))
        let newTopics = g.members.isEmpty ? g.topics : subscribed.sorted()
        if newTopics != g.topics {
            g.topics = newTopics
            journal.append([.topics(group: g.name, topics: newTopics)]) { _ in }
        } else if g.generation == 0 {
            journal.append([.topics(group: g.name, topics: newTopics)]) { _ in }
        }
        var counts: [String: Int] = [:]
        for topic in subscribed { if let count = topics.partitionCount(of: topic) { counts[topic] = count } }
        let input = g.members.map {
            PartitionAssignor.Member(id: $0.id, topics: Set($0.options.topics), current: Set($0.assignments))
        }
        let assignment = PartitionAssignor.assign(members: input, partitionCounts: counts)
        for index in g.members.indices {
            let assigned = assignment[g.members[index].id] ?? []
            var positions: [TopicPartition: Int64] = [:]
            for partition in assigned {
                if let kept = g.members[index].positions[partition] {
                    positions[partition] = kept
                } else {
                    positions[partition] = startPosition(
                        partition, in: &g, reset: g.members[index].options.autoOffsetReset)
                }
            }
            g.members[index].assignments = assigned
            g.members[index].positions = positions
        }
        g.generation += 1
        let wake = Array(g.rebalanceWaiters.values)
        g.rebalanceWaiters.removeAll()
        return wake
    }

    /// The committed offset, else the first-assignment position (fixing it now if this is the first).
    func startPosition(_ partition: TopicPartition, in g: inout ConsumerGroup, reset: OffsetReset) -> Int64 {
        if let committed = g.committed[partition] { return committed }
        if let initial = g.initialPositions[partition] { return initial }
        let range = topics.offsetRange(of: partition) ?? (0, 0)
        let position = reset == .earliest ? range.start : range.end
        g.initialPositions[partition] = position
        return position
    }
}
