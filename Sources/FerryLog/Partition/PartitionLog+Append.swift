import FerrySystem
import Synchronization

extension PartitionLog {
    /// Appends `records` as one atomic batch with dense offsets and returns once the batch is durable as the
    /// flush policy promises: at once for `never`/`interval`; for `always`, after the flusher thread's group
    /// commit covers it (this blocks the calling thread: event loops use
    /// ``appendDeferringDurability(_:onDurable:)`` instead).
    ///
    /// Throws before writing anything for an empty batch, a record over `maxMessageBytes`, a full disk, a
    /// closed log or an earlier failed flush.
    @discardableResult
    public func append(_ records: [RecordInput]) throws(LogError) -> AppendResult {
        try append(RecordBuffer(records))
    }

    /// Appends records already laid out in a buffer (copied once, into the segment); as the form above.
    @discardableResult
    public func append<Source: RecordSource>(_ records: Source) throws(LogError) -> AppendResult {
        let parker = policyIsAlways.load(ordering: .relaxed) ? DurabilityParker() : nil
        // Never at the end of the caller's turn: this thread waits for the sync, so it must happen elsewhere.
        let (result, durable) = try appendBatchReportingPolicy(
            records, onDurable: parker?.callbackIfAlways, syncAtEndOfTurn: false)
        if durable { return result }
        guard let parker else {
            // The policy became `always` between the check and the append: sync here (this form may block).
            try flush()
            return result
        }
        return try parker.wait().get()
    }

    /// Appends `records` as one atomic batch and returns as soon as the batch is in the mapping (readable by
    /// every reader). `onDurable` is called exactly once: with the result when the batch is durable as the
    /// policy promises (right away on this thread for `never`/`interval`; from a flusher thread after the
    /// group commit for `always`), or with the error when the append or its sync failed. Never blocks on fsync.
    /// For tests (`@testable`): servers use ``appendDeferringDurability(_:onDurable:)``.
    func append(
        _ records: [RecordInput], onDurable: @escaping @Sendable (Result<AppendResult, LogError>) -> Void
    ) {
        do {
            let (result, durable) = try appendBatchReportingPolicy(
                RecordBuffer(records), onDurable: onDurable, syncAtEndOfTurn: true)
            if durable { onDurable(.success(result)) }
        } catch {
            onDurable(.failure(error))
        }
    }

    /// The append itself. With `always` and a callback, registers the callback for the next sync; returns
    /// whether the batch already counts as durable (any other policy).
    ///
    /// With `syncAtEndOfTurn`, on an event-loop thread (``EndOfTurnQueue/current``) and while syncs are quick,
    /// the sync is left to the end of the loop's turn, where one sync covers every append of the turn and the
    /// callbacks run on the loop itself; otherwise a flusher thread does it. Only callers that never wait for
    /// `onDurable` on this thread may pass true.
    func appendBatchReportingPolicy<Source: RecordSource>(
        _ records: Source, onDurable: (@Sendable (Result<AppendResult, LogError>) -> Void)?,
        syncAtEndOfTurn: Bool
    ) throws(LogError) -> (AppendResult, Bool) {
        let count = Int64(records.recordCount)
        let (result, wakeups, schedule, policy, generation) = try state.withLock {
            state throws(LogError) -> (AppendResult, [@Sendable () -> Void]?, Bool, FlushPolicy, UInt64) in
            if state.isClosed { throw LogError.closed }
            if let failure = state.failure { throw LogError.flushFailed(failure) }
            let policy = state.configuration.flushPolicy
            let interval = state.configuration.indexIntervalBytes
            let size = try RecordBatchEncoder.measure(records, maxMessageBytes: state.configuration.maxMessageBytes)
            try prepareRoom(&state, size: size, count: count)
            let position = state.active.written
            let baseOffset = state.active.nextOffset
            let timestamps = try state.active.writeBatch(
                size: size, throughFile: policy == .always ? environment.writerDescriptors : nil
            ) {
                RecordBatchEncoder.encode(records, baseOffset: baseOffset, size: size, into: $0)
            }
            state.active.recordBatch(
                at: position, relativeOffset: UInt32(baseOffset - state.active.baseOffset),
                length: size, maxTimestamp: timestamps.max, interval: interval)
            state.active.written = position + size
            state.active.nextOffset = baseOffset + count
            let result = AppendResult(
                baseOffset: baseOffset, lastOffset: baseOffset + count - 1,
                firstTimestamp: timestamps.first, maxTimestamp: timestamps.max)
            let wakeups = state.appendWaiters.isEmpty ? nil : state.takeSatisfiedAppendWaiters()
            var schedule = false
            if policy != .never {
                if policy == .always, let onDurable {
                    state.durabilityWaiters.append(DurabilityWaiter(result: result, callback: onDurable))
                }
                if !state.flushQueued {
                    state.flushQueued = true
                    schedule = true
                }
            }
            return (result, wakeups, schedule, policy, state.snapshots)
        }
        if let wakeups { WakeBatch.coalescing { for wakeup in wakeups { wakeup() } } }
        if schedule {
            if case .interval(let milliseconds) = policy {
                environment.flusher.scheduleFlush(self, afterMilliseconds: milliseconds)
            } else if syncAtEndOfTurn, environment.syncsAreQuick, let turn = EndOfTurnQueue.current {
                turn.addSync { [self] in runEndOfTurnFlush(scheduledAt: generation) }
            } else {
                environment.flusher.requestFlush(self)
            }
        }
        return (result, policy != .always)
    }

    /// Whether the active segment holds its file open for `pwrite` (``SegmentWriter``; tests).
    var activeWritesThroughFile: Bool { state.withLock { $0.active.writesThroughFile } }

    /// Rolls to a new segment when the batch does not fit (size, offset range or age) and makes sure disk
    /// space is allocated for it. Throws with the state unchanged when the disk is full.
    private func prepareRoom(_ state: inout PartitionState, size: Int, count: Int64) throws(LogError) {
        // Fields are read in place: a copy of the whole segment or configuration would retain and release each
        // of their references on every append.
        let written = state.active.written
        if written > 0 {
            // The mapping's capacity counts too: a segment created before `segmentBytes` grew (a topic config
            // change) is as large as it was made, and is rolled when full.
            var mustRoll =
                written + size > state.configuration.segmentBytes
                || written + size > state.active.region.length
                || state.active.nextOffset + count - state.active.baseOffset > Int64(UInt32.max)
            if !mustRoll, let maximumAge = state.configuration.segmentMilliseconds {
                mustRoll = environment.clock() - state.active.createdAtMilliseconds >= maximumAge
            }
            if mustRoll { try roll(&state) }
        }
        if state.active.written == 0 && size > state.active.region.length {
            try state.active.remap(capacity: size)
        }
        try state.active.ensureAllocated(for: size, chunk: state.configuration.preallocationBytes)
        requestInitializationIfLow(&state)
    }

    /// Seals the active segment and starts a new one at the log end. The new files are created first, so a
    /// failure (full disk) leaves everything as it was. The sealed segment's index files are final (trimmed)
    /// before this returns; its sync is left to the flusher.
    func roll(_ state: inout PartitionState) throws(LogError) {
        let next = try ActiveSegment.create(
            directory: directory, baseOffset: state.active.nextOffset,
            capacity: state.configuration.segmentBytes,
            indexInterval: state.configuration.indexIntervalBytes, now: environment.clock())
        var old = state.active
        let sealed = old.seal()
        state.closed.append(sealed)
        state.closedBytes += Int64(old.written)
        if old.syncedPosition < old.written {
            state.pendingSeals.append(PendingSeal(region: old.region, size: old.written))
        }
        state.active = next
        state.directoryGeneration += 1
        environment.cache.touch(sealed, loaded: true)
    }

    /// Seals the active segment even if it has not reached its size (internal journals' compaction, tests and
    /// tools); no-op when it is empty. Returns the active segment's base offset afterwards: every record
    /// appended from then on has an offset at or past it, every closed segment ends at or before it.
    @discardableResult
    public func rollNow() throws(LogError) -> Int64 {
        try state.withLock { state throws(LogError) -> Int64 in
            if state.isClosed { throw LogError.closed }
            if state.active.written > 0 { try roll(&state) }
            return state.active.baseOffset
        }
    }
}

/// Where a blocking `always` appender sleeps until the flusher completes its batch: one per blocking append,
/// woken individually (only the appenders a sync covers wake up, no thundering herd).
final class DurabilityParker: Sendable {
    private let outcome = ConditionLock<Result<AppendResult, LogError>?>(nil)

    /// The callback the flusher calls; registered only when the policy is `always`.
    var callbackIfAlways: @Sendable (Result<AppendResult, LogError>) -> Void {
        { [outcome] result in outcome.withLockThenSignal { $0 = result } }
    }

    /// Blocks until the callback ran.
    func wait() -> Result<AppendResult, LogError> {
        outcome.wait(deadline: { _ in nil }) { $0 }
    }
}
