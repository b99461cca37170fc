import FerrySystem
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A journal of text lines in one partition of an internal topic: the shared mechanism under the group, queue,
/// subscription and idempotency state logs.
///
/// Each line is one record (raw value); the lines of one ``append(_:onDurable:)`` are one atomic batch.
/// Appending never waits for `fsync`: `onDurable` reports it (synchronously for `interval`/`never`).
/// Thread-safe (the partition serializes appends). A long history is replaced by a snapshot of the owner's
/// live state with ``compact(appendSnapshot:)``, at start-up and online. Once ``fence()``d (its shard given up to
/// another node) it takes no more appends.
final class InternalLineJournal: Sendable {
    let partition: any PartitionStorage
    let now: @Sendable () -> Int64
    /// Lines written by the last compaction (0 before the first).
    let snapshotLines = Atomic<Int>(0)

    private struct Writes {
        /// No append may start: another node may own this journal now.
        var fenced = false
        /// Appends started, and reported (a partition reports its appends in order).
        var started = 0
        var reported = 0
        var pending: Int { started - reported }
        /// Appends that failed, ever (compaction compares it before and after its snapshot).
        var failed = 0
        var compacting = false
    }
    private let writes = Mutex(Writes())

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
        let admitted = writes.withLock { writes in
            guard !writes.fenced else { return false }
            writes.started += 1
            return true
        }
        guard admitted else { return onDurable(.failure(Self.fencedError)) }
        let time = now()
        partition.append(
            batch, indices: Array(batch.records.indices), timestamps: Array(repeating: time, count: lines.count)
        ) { result in
            self.writes.withLock { writes in
                writes.reported += 1
                if case .failure = result { writes.failed += 1 }
            }
            onDurable(result.map { _ in })
        }
    }

    static let fencedError = BrokerError.unavailable("this state is moving to another node; retry")

    /// Refuses every later append (they fail with `unavailable`) and every later compaction.
    func fence() { writes.withLock { $0.fenced = true } }

    /// Waits until no append or compaction is under way, or `timeoutMilliseconds` passed. Blocks (polls).
    func awaitPendingAppends(timeoutMilliseconds: Int) {
        let deadline = MonotonicClock.nanoseconds() + UInt64(max(0, timeoutMilliseconds)) * 1_000_000
        while writes.withLock({ $0.pending > 0 || $0.compacting }), MonotonicClock.nanoseconds() < deadline {
            usleep(1_000)
        }
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
    ///
    /// The history is dropped only once every append of the snapshot was reported written: if one failed, or the
    /// journal was fenced meanwhile, it throws and the history stays (replaying it and the partial snapshot gives
    /// the same state).
    func compact(appendSnapshot: () -> Int) throws(BrokerError) {
        let failedBefore = try writes.withLock { writes throws(BrokerError) -> Int in
            guard !writes.fenced else { throw Self.fencedError }
            writes.compacting = true
            return writes.failed
        }
        defer { writes.withLock { $0.compacting = false } }
        let base = try partition.startNewSegment()
        let lines = appendSnapshot()
        let snapshotEnd = writes.withLock { $0.started }
        while writes.withLock({ $0.reported < snapshotEnd && !$0.fenced }) { usleep(1_000) }
        try writes.withLock { writes throws(BrokerError) in
            guard !writes.fenced else { throw Self.fencedError }
            guard writes.failed == failedBefore else {
                throw .unavailable("a snapshot line was not written; the journal keeps its history")
            }
        }
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
