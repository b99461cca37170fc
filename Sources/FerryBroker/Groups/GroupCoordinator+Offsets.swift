import Synchronization

/// Fetch positions, commits, offset resets and descriptions.
extension GroupCoordinator {
    /// Starts a member fetch: records the heartbeat, auto-commits what the previous fetch returned (when the
    /// member asked for auto-commit), and returns the partitions to read with their positions.
    /// Positions that fell outside the partition's range (retention, topic re-creation) are moved inside it.
    public func beginFetch(group: String, memberID: String) throws(BrokerError) -> GroupFetchPlan {
        try state.withLock { state throws(BrokerError) in
            guard var g = state.groups[group], let index = g.memberIndex(memberID) else {
                throw .memberNotFound(group: group, member: memberID)
            }
            var member = g.members[index]
            member.lastSeen = now()
            if member.options.autoCommit && member.hasUncommittedFetch {
                commitLocked(&g, member.positions.map { ($0.key, $0.value) }) { _ in }
                member.hasUncommittedFetch = false
            }
            var positions: [(partition: TopicPartition, offset: Int64)] = []
            for partition in member.assignments {
                var offset = member.positions[partition] ?? 0
                if let range = topics.offsetRange(of: partition) {
                    offset = min(max(offset, range.start), range.end)
                }
                member.positions[partition] = offset
                positions.append((partition, offset))
            }
            g.members[index] = member
            state.groups[group] = g
            return GroupFetchPlan(
                group: group, memberID: memberID, generation: g.generation, positions: positions,
                assignments: member.assignments)
        }
    }

    /// Records what a fetch returned: `advanced[partition] = (from, to)` moves the member's position from
    /// `from` to `to` if the member still owns the partition at `from` (a rebalance may have moved it).
    public func completeFetch(_ plan: GroupFetchPlan, advanced: [TopicPartition: (from: Int64, to: Int64)]) {
        state.withLock { state in
            guard var g = state.groups[plan.group], let index = g.memberIndex(plan.memberID) else { return }
            for (partition, move) in advanced where g.members[index].positions[partition] == move.from {
                g.members[index].positions[partition] = move.to
                if move.to != move.from { g.members[index].hasUncommittedFetch = true }
            }
            g.members[index].lastSeen = now()
            state.groups[plan.group] = g
        }
    }

    /// Marks a member fetch as held (long-polling): the member is not evicted meanwhile, and `onRebalance` is
    /// called once if the group rebalances before ``endHold(group:memberID:token:)``. Returns a token, or nil
    /// if the member is gone.
    public func beginHold(group: String, memberID: String, onRebalance: @escaping @Sendable () -> Void) -> Int? {
        state.withLock { state in
            guard var g = state.groups[group], let index = g.memberIndex(memberID) else { return nil }
            state.nextWaiterToken += 1
            let token = state.nextWaiterToken
            g.members[index].heldFetches += 1
            g.rebalanceWaiters[token] = onRebalance
            state.groups[group] = g
            return token
        }
    }

    /// Ends a hold started by ``beginHold(group:memberID:onRebalance:)``; counts as a heartbeat.
    public func endHold(group: String, memberID: String, token: Int) {
        state.withLock { state in
            guard var g = state.groups[group] else { return }
            g.rebalanceWaiters[token] = nil
            if let index = g.memberIndex(memberID) {
                g.members[index].heldFetches = max(0, g.members[index].heldFetches - 1)
                g.members[index].lastSeen = now()
            }
            state.groups[group] = g
        }
    }

    /// Commits offsets for a member. `offsets == nil` commits the member's position in every partition it owns
    /// (the offset after the last message returned to it). A partition the member does not own throws
    /// `notPartitionOwner` and nothing is committed. `onDurable` fires once the commit is stable.
    public func commit(
        group: String, memberID: String, offsets: [(partition: TopicPartition, offset: Int64)]?,
        onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) throws(BrokerError) {
        let callback = CallbackOutsideLock(onDurable)
        defer { callback.release() }
        try state.withLock { state throws(BrokerError) in
            guard var g = state.groups[group], let index = g.memberIndex(memberID) else {
                throw .memberNotFound(group: group, member: memberID)
            }
            let member = g.members[index]
            let entries: [(TopicPartition, Int64)]
            if let offsets {
                for (partition, offset) in offsets {
                    guard member.assignments.contains(partition) else {
                        throw .notPartitionOwner(topic: partition.topic, partition: partition.partition)
                    }
                    guard offset >= 0 else { throw .invalidParameter(name: "offset", reason: "must be >= 0") }
                }
                entries = offsets.map { ($0.partition, $0.offset) }
            } else {
                entries = member.assignments.map { ($0, member.positions[$0] ?? 0) }
            }
            g.members[index].lastSeen = now()
            if offsets == nil { g.members[index].hasUncommittedFetch = false }
            commitLocked(&g, entries, onDurable: callback.deliver)
            state.groups[group] = g
        }
    }

    func commitLocked(
        _ g: inout ConsumerGroup, _ entries: [(TopicPartition, Int64)],
        onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) {
        guard !entries.isEmpty else { return onDurable(.success(())) }
        for (partition, offset) in entries { g.committed[partition] = offset }
        journal.append(entries.map { .committed(group: g.name, partition: $0.0, offset: $0.1) }, onDurable: onDurable)
    }

    /// Moves committed offsets of a group with no members (creating the group if it does not exist yet, as
    /// Kafka's offset reset tool does). `partition == nil` resets every partition of the topic.
    /// Throws `groupNotEmpty`, `topicNotFound`, `partitionNotFound` or `offsetOutOfRange`.
    public func resetOffsets(
        group: String, topic: String, partition: Int?, to target: OffsetResetTarget,
        onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) throws(BrokerError) {
        try ResourceName.validate(group, kind: "group")
        guard let count = topics.partitionCount(of: topic) else { throw .topicNotFound(topic) }
        if let partition, !(0..<count).contains(partition) {
            throw .partitionNotFound(topic: topic, partition: partition)
        }
        let partitions = (partition.map { [$0] } ?? Array(0..<count)).map {
            TopicPartition(topic: topic, partition: $0)
        }
        var entries: [(TopicPartition, Int64)] = []
        for tp in partitions {
            let range = topics.offsetRange(of: tp) ?? (0, 0)
            let offset: Int64
            switch target {
            case .earliest: offset = range.start
            case .latest: offset = range.end
            case .offset(let requested):
                guard requested >= range.start && requested <= range.end else {
                    throw .offsetOutOfRange(requested: requested, startOffset: range.start, endOffset: range.end)
                }
                offset = requested
            case .partitionOffsets(let offsets): offset = offsets[tp.partition] ?? range.end
            case .timestamp:
                throw .invalidParameter(name: "to", reason: "a timestamp is resolved by Broker.resetGroupOffsets")
            }
            entries.append((tp, offset))
        }
        let callback = CallbackOutsideLock(onDurable)
        defer { callback.release() }
        try state.withLock { state throws(BrokerError) in
            var g = state.groups[group] ?? ConsumerGroup(name: group)
            guard g.members.isEmpty else { throw .groupNotEmpty(group) }
            if !g.topics.contains(topic) {
                g.topics = (g.topics + [topic]).sorted()
                journal.append([.topics(group: group, topics: g.topics)]) { _ in }
            }
            for (tp, _) in entries { g.initialPositions[tp] = nil }
            commitLocked(&g, entries, onDurable: callback.deliver)
            state.groups[group] = g
        }
    }

    /// Deletes a group with no members and its offsets. Throws `groupNotFound` or `groupNotEmpty`.
    public func delete(group: String) throws(BrokerError) {
        try state.withLock { state throws(BrokerError) in
            guard let g = state.groups[group] else { throw .groupNotFound(group) }
            guard g.members.isEmpty else { throw .groupNotEmpty(group) }
            state.groups[group] = nil
            journal.append([.deleted(group: group)]) { _ in }
        }
    }

    /// `GET /v1/groups/{group}`. Throws `groupNotFound`.
    public func describe(group: String) throws(BrokerError) -> GroupDescription {
        let (g, external): (ConsumerGroup, [GroupDescription.Member]) = try state.withLock {
            state throws(BrokerError) in
            let external = state.externalMembers[group] ?? []
            guard let g = state.groups[group] ?? (external.isEmpty ? nil : ConsumerGroup(name: group)) else {
                throw .groupNotFound(group)
            }
            return (g, external)
        }
        let members =
            g.members.map {
                GroupDescription.Member(memberID: $0.id, topics: $0.options.topics, assignments: $0.assignments)
            } + external
        var offsets: [GroupDescription.PartitionOffset] = []
        let topicNames = Set(g.topics).union(g.committed.keys.map(\.topic)).union(external.flatMap(\.topics)).sorted()
        for topic in topicNames {
            guard let count = topics.partitionCount(of: topic) else { continue }
            for p in 0..<count {
                let tp = TopicPartition(topic: topic, partition: p)
                let range = topics.offsetRange(of: tp) ?? (0, 0)
                let committed = g.committed[tp]
                let lag = max(0, range.end - (committed ?? range.start))
                offsets.append(.init(partition: tp, committedOffset: committed, endOffset: range.end, lag: lag))
            }
        }
        return GroupDescription(group: group, members: members, offsets: offsets)
    }

    /// Every group's committed offsets (the next offset to read), for mirroring them elsewhere.
    public func committedOffsets() -> [String: [TopicPartition: Int64]] {
        state.withLock { state in
            var all: [String: [TopicPartition: Int64]] = [:]
            for (name, group) in state.groups where !group.committed.isEmpty { all[name] = group.committed }
            return all
        }
    }

    /// `GET /v1/groups`, sorted by name.
    /// How many groups there are.
    public var count: Int { state.withLock { $0.groups.count } }

    public func list() -> [GroupSummary] {
        state.withLock { state in
            var summaries = state.groups.values.map { group in
                let external = state.externalMembers[group.name] ?? []
                return GroupSummary(
                    group: group.name, memberCount: group.members.count + external.count,
                    topics: Array(Set(group.topics).union(external.flatMap(\.topics))).sorted())
            }
            for (name, external) in state.externalMembers where state.groups[name] == nil {
                summaries.append(
                    GroupSummary(
                        group: name, memberCount: external.count,
                        topics: Array(Set(external.flatMap(\.topics))).sorted()))
            }
            return summaries
        }.sorted { $0.group < $1.group }
    }
}

/// Holds a durability callback until the coordinator has released its lock: the journal may report
/// durability synchronously (flush policies `interval`/`never`) while the lock is held, and a callback that
/// reads the coordinator (e.g. to describe the group) must not run there. Delivers exactly once, after both
/// ``deliver(_:)`` and ``release()`` happened; a callback that never got a result (the call threw) never runs.
final class CallbackOutsideLock: Sendable {
    let callback: @Sendable (Result<Void, BrokerError>) -> Void
    let state = Mutex<(released: Bool, result: Result<Void, BrokerError>?)>((false, nil))

    init(_ callback: @escaping @Sendable (Result<Void, BrokerError>) -> Void) {
        self.callback = callback
    }

    var deliver: @Sendable (Result<Void, BrokerError>) -> Void {
        { [self] result in
            let now = state.withLock { state -> Bool in
                if state.released { return true }
                state.result = result
                return false
            }
            if now { callback(result) }
        }
    }

    func release() {
        let result = state.withLock { state -> Result<Void, BrokerError>? in
            state.released = true
            return state.result
        }
        if let result { callback(result) }
    }
}
