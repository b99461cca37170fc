/// One durable change to queue state, as written to the internal `__ferry_queues` topic.
///
/// Offsets lists are sorted; they are journaled as runs (`5-9,12`), so acking a million offsets in order costs
/// a few bytes per ack call, not per message.
public enum QueueJournalEntry: Sendable, Equatable {
    /// The queue exists (created at `createdAt`); its partitions start at `startOffsets` (partitions added to
    /// the topic later start at their start offset).
    case created(
        topic: String, queue: String, maxDeliveries: Int, deadLetterTopic: String, createdAt: Int64,
        startOffsets: [Int64])
    /// The queue and its state are gone.
    case deleted(topic: String, queue: String)
    /// These messages were delivered once more (their leases come back after a crash).
    case delivered(topic: String, queue: String, partition: Int, offsets: [Int64])
    /// These messages were acked.
    case acked(topic: String, queue: String, partition: Int, offsets: [Int64])
    /// These messages are in the dead-letter topic.
    case deadLettered(topic: String, queue: String, partition: Int, offsets: [Int64])
    /// The queue's lifetime counters, set absolutely (written by a compaction snapshot after the offsets it
    /// replays, whose acks must not count twice).
    case counted(topic: String, queue: String, acked: Int64, deadLettered: Int64)
}

/// Where the queue coordinator makes its state durable. `append` must not wait for `fsync` on the caller's
/// thread (it is called under a queue's lock so that journal order equals the order of changes); `onDurable`
/// runs once the entries are stable per the flush policy, from any thread.
public protocol QueueJournal: Sendable {
    func append(_ entries: [QueueJournalEntry], onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void)
}
