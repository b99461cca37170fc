/// One durable change to consumer-group state, as written to the internal `__ferry_groups` topic.
public enum GroupJournalEntry: Sendable, Equatable {
    /// The group exists and subscribes to these topics (written on creation and when its subscription changes).
    case topics(group: String, topics: [String])
    /// The group's committed offset for a partition (the next offset to read).
    case committed(group: String, partition: TopicPartition, offset: Int64)
    /// The group's committed offset for a partition is gone (its topic was deleted).
    case cleared(group: String, partition: TopicPartition)
    /// The group and all its offsets are gone.
    case deleted(group: String)
}

/// Where the group coordinator makes its state durable.
///
/// `append` must be cheap and must not wait for `fsync` on the caller's thread: the coordinator calls it while
/// holding its lock, so that journal order equals the order of in-memory changes. `onDurable` is called once
/// the entries are stable per the log's flush policy (at once for `interval`/`never`), from any thread.
public protocol GroupJournal: Sendable {
    func append(_ entries: [GroupJournalEntry], onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void)
}

/// The facts about topics the coordinator needs: partition counts and offsets. Safe from any thread.
public protocol GroupTopicSource: Sendable {
    /// The partition count, or nil when the topic does not exist.
    func partitionCount(of topic: String) -> Int?
    /// The partition's start and end offsets (end = the offset the next message gets), nil when it is missing.
    func offsetRange(of partition: TopicPartition) -> (start: Int64, end: Int64)?
}
