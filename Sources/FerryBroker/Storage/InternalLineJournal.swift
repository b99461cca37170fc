import Synchronization

/// A journal of text lines in partition 0 of an internal topic: the shared mechanism under the group, queue,
/// subscription and idempotency state logs.
///
/// Each line is one record (raw value); the lines of one ``append(_:onDurable:)`` are one atomic batch.
/// Appending never waits for `fsync`: `onDurable` reports it (synchronously for `interval`/`never`).
/// Thread-safe (the partition serializes appends). A long history is replaced by a snapshot of the owner's
/// live state with ``compact(appendSnapshot:)``, at start-up and online.
final class InternalLineJournal: Sendable {
    let partition: any PartitionStorage
    let now: @Sendable () -> Int64
    /// Lines written by the last compaction (0 before the first).
    let snapshotLines = Atomic<Int>(0)

    init(partition: any PartitionStorage, now: @escaping @Sendable () -> Int64) {
        self.partition = partition
        self.now = now
    }

    func append(_ lines: [String], onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void) {
        guard !lines.isEmpty else { return onDurable(.success(())) }
        var batch = ProduceBatch()
        for line in lines {
            let value = batch.store(line.utf8)
            batch.records.append(
                .init(key: nil, value: value, valueFormat: .raw, headers: 0..<0, partition: 0, timestamp: nil))
        }
        let time = now()
        partition.append(
            batch, indices: Array(batch.records.indices), timestamps: Array(repeating: time, count: lines.count)
        ) { result in onDurable(result.map { _ in }) }
    }

    /// Records in the partition: the lines a replay reads.
    var historyLines: Int64 { partition.endOffset - partition.startOffset }

    /// Whether the history is long and much longer than the last snapshot: more than
    /// ``compactionThreshold`` lines and more than four times the last snapshot's.
    var isCompactionDue: Bool {
        let history = historyLines
        return history > Self.compactionThreshold && history > 4 * Int64(snapshotLines.load(ordering: .relaxed))
    }

    /// Replaces the history by a snapshot of the live state, while the journal stays in use: starts a new
    /// segment, calls `appendSnapshot` — which appends the live state through the owner's usual `append` and
    /// returns how many lines it wrote — then makes the journal durable and deletes the segments before the
    /// snapshot (``PartitionStorage/dropHistory(before:)``; blocks on fsync).
    ///
    /// `appendSnapshot` must append each key's entries while holding the lock under which that key's changes
    /// are journaled, so that no change of that key falls between reading its state and appending it; changes
    /// made meanwhile to other keys land before or after their key's snapshot and replay the same either way.
    /// Not reentrant: one compaction per journal at a time (the broker's housekeeping, or start-up).
    func compact(appendSnapshot: () -> Int) throws(BrokerError) {
        let base = try partition.startNewSegment()
        let lines = appendSnapshot()
        try partition.dropHistory(before: base)
        snapshotLines.store(lines, ordering: .relaxed)
    }

    /// Journals shorter than this many lines are replayed as they are.
    static let compactionThreshold: Int64 = 10_000

    /// Visits every line from the partition's start, in order.
    func replay(_ visit: (String) -> Void) throws(BrokerError) {
        var offset = partition.startOffset
        while true {
            let batch = try partition.readNow(from: offset, maxMessages: 10_000, maxBytes: 8 << 20)
            batch.forEach { message in
                guard let value = message.value else { return }
                visit(String(decoding: value, as: UTF8.self))
            }
            guard batch.position.nextOffset > offset else { break }
            offset = batch.position.nextOffset
        }
    }
}
