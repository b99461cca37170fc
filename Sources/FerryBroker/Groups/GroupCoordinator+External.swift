import Synchronization

/// Offsets of groups whose membership another protocol manages: Kafka clients join, sync and heartbeat through
/// the Kafka-protocol listener's own coordinator, and commit here, so the group, its offsets and its lag are
/// the same ones `GET /v1/groups/{group}` shows and HTTP members would resume from.
extension GroupCoordinator {
    /// Commits `offsets` (the next offset to read per partition) for `group`, creating the group when it does
    /// not exist and adding the offsets' topics to it. Throws `groupNotEmpty` while HTTP members are in the
    /// group (the two memberships cannot share partitions), `invalidParameter` for a negative offset.
    /// `onDurable` fires once the commit is stable.
    public func commitExternal(
        group: String, offsets: [(partition: TopicPartition, offset: Int64)],
        onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) throws(BrokerError) {
        try ResourceName.validate(group, kind: "group")
        for (_, offset) in offsets where offset < 0 {
            throw .invalidParameter(name: "offset", reason: "must be >= 0")
        }
        let callback = CallbackOutsideLock(onDurable)
        defer { callback.release() }
        try state.withLock { state throws(BrokerError) in
            var g = state.groups[group] ?? ConsumerGroup(name: group)
            guard g.members.isEmpty else { throw .groupNotEmpty(group) }
            let newTopics = Set(offsets.map(\.partition.topic)).subtracting(g.topics)
            if !newTopics.isEmpty {
                g.topics = (g.topics + newTopics).sorted()
                journal.append([.topics(group: group, topics: g.topics)]) { _ in }
            }
            for (partition, _) in offsets { g.initialPositions[partition] = nil }
            commitLocked(&g, offsets.map { ($0.partition, $0.offset) }, onDurable: callback.deliver)
            state.groups[group] = g
        }
    }

    /// The committed offsets of `group` (empty when it has none or does not exist).
    public func committed(group: String) -> [TopicPartition: Int64] {
        state.withLock { $0.groups[group]?.committed ?? [:] }
    }

    /// Records the members another protocol reports for `group` (empty: none left), shown by ``describe(group:)``
    /// and ``list()`` next to HTTP members: a Kafka group exists from its first join, as an HTTP one does.
    public func setExternalMembers(group: String, members: [GroupDescription.Member]) {
        state.withLock { $0.externalMembers[group] = members.isEmpty ? nil : members }
    }

    /// Whether `group` has members joined over HTTP.
    public func hasMembers(group: String) -> Bool {
        state.withLock { !($0.groups[group]?.members.isEmpty ?? true) }
    }
}
