/// A journal of text lines in partition 0 of an internal topic: the shared mechanism under the consumer-group
/// and queue state logs.
///
/// Each line is one record (raw value); the lines of one ``append(_:onDurable:)`` are one atomic batch.
/// Appending never waits for `fsync`: `onDurable` reports it (synchronously for `interval`/`never`).
/// Thread-safe (the partition serializes appends).
struct InternalLineJournal: Sendable {
    let partition: any PartitionStorage
    let now: @Sendable () -> Int64

    func append(_ lines: [String], onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void) {
        guard !lines.isEmpty else { return onDurable(.success(())) }
        var batch = ProduceBatch()
        for line in lines {
            let value = batch.store(line.utf8)
            batch.records.append(
                .init(key: nil, value: value, valueFormat: .raw, headers: 0..<0, partition: 0, timestamp: nil))
        }
        let time = now()
        do {
            _ = try partition.append(
                batch, indices: Array(batch.records.indices), timestamps: Array(repeating: time, count: lines.count),
                onDurable: onDurable)
        } catch {
            onDurable(.failure(error))
        }
    }

    /// Replaces the history by `lines` (a snapshot of the live state); see
    /// ``PartitionStorage/rewriteHistory(with:timestamp:)``. Blocks on fsync; start-up only.
    func rewrite(_ lines: [String]) throws(BrokerError) {
        var batch = ProduceBatch()
        for line in lines {
            let value = batch.store(line.utf8)
            batch.records.append(
                .init(key: nil, value: value, valueFormat: .raw, headers: 0..<0, partition: 0, timestamp: nil))
        }
        try partition.rewriteHistory(with: batch, timestamp: now())
    }

    /// Rewrites the journal as `snapshot` when its history (`replayed` lines) is long and much larger than the
    /// snapshot; start-up only (blocks on fsync). Returns whether it did.
    func compact(replayed: Int, snapshot: [String]) throws(BrokerError) -> Bool {
        guard replayed > Self.compactionThreshold && replayed > 4 * snapshot.count else { return false }
        try rewrite(snapshot)
        return true
    }

    /// Journals shorter than this many lines are replayed as they are.
    static let compactionThreshold = 10_000

    /// Visits every line from the partition's start, in order.
    func replay(_ visit: (String) -> Void) throws(BrokerError) {
        var offset = partition.startOffset
        while offset < partition.endOffset {
            let next = try partition.read(from: offset, maxMessages: 10_000, maxBytes: 8 << 20) { message in
                guard let value = message.value else { return }
                visit(String(decoding: value, as: UTF8.self))
            }
            guard next > offset else { break }
            offset = next
        }
    }
}
