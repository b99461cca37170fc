import Synchronization

/// Running totals of one partition's traffic: messages and key + value bytes appended and read out.
///
/// Each ``PartitionLog`` owns one; the layer above adds to it on every append and read it serves (relaxed
/// atomics: no lock, no contention beyond the partition's own appenders), and metrics read it at scrape time.
/// Totals only grow, from zero when the log is opened (server start, topic creation). Thread-safe.
public final class PartitionTraffic: Sendable {
    let appendedMessageCount = Atomic<Int>(0)
    let appendedByteCount = Atomic<Int>(0)
    let readMessageCount = Atomic<Int>(0)
    let readByteCount = Atomic<Int>(0)

    public init() {}

    /// Messages appended (produced, dead-lettered, or written by the broker's journals).
    public var appendedMessages: Int { appendedMessageCount.load(ordering: .relaxed) }
    /// Key + value bytes appended.
    public var appendedBytes: Int { appendedByteCount.load(ordering: .relaxed) }
    /// Messages read out (fetches, group fetches, streams, queue receives, dead-letter copies).
    public var readMessages: Int { readMessageCount.load(ordering: .relaxed) }
    /// Key + value bytes read out.
    public var readBytes: Int { readByteCount.load(ordering: .relaxed) }

    /// Adds one append.
    public func recordAppend(messages: Int, bytes: Int) {
        appendedMessageCount.add(messages, ordering: .relaxed)
        appendedByteCount.add(bytes, ordering: .relaxed)
    }

    /// Adds one read.
    public func recordRead(messages: Int, bytes: Int) {
        guard messages > 0 else { return }
        readMessageCount.add(messages, ordering: .relaxed)
        readByteCount.add(bytes, ordering: .relaxed)
    }
}
