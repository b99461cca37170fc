import FerrySystem
import Synchronization

/// One topic-partition's log: a directory of segments, appended to by one writer at a time and read by many.
///
/// ## Threads and locks
/// `PartitionLog` is `Sendable`; every method may be called from any thread. A `Mutex` guards the partition
/// state (segment list, active segment, offsets, waiters). `append` holds it while it encodes and copies the
/// batch into the mapped active segment (microseconds; a roll adds a few file operations), so appends are
/// serialised. Readers hold it only to locate a segment, then parse the mapped bytes without it. A second lock
/// serialises flushes. Lock order: flush lock, then state lock; a segment's own lock and the
/// ``SegmentCache`` lock are never held while taking the state lock.
///
/// ## Blocking
/// `append` never syncs inside the call: with ``FlushPolicy/always`` the blocking form waits for the flusher
/// thread (group commit) and the callback form returns at once (an event loop then syncs at the end of its
/// turn, see ``EndOfTurnQueue``; other threads leave it to a flusher thread). ``flush()``, ``close()`` and
/// ``enforceRetention(nowMilliseconds:)`` may block on disk I/O. Callbacks run on the appending thread (append
/// notifications, immediate durability) or on a flusher thread: they must be quick and must not block.
///
/// ## Offsets
/// Records exist for `logStartOffset ..< nextOffset` (dense); every record below `flushedOffset` is on stable
/// storage (`flushedOffset <= nextOffset`). `logStartOffset` only grows (retention), `nextOffset` only grows
/// (appends), `flushedOffset` only grows (syncs).
public final class PartitionLog: Sendable {
    /// The partition directory (`<data>/topics/<topic>/<partition>`).
    public let directory: String
    /// What recovery found when the log was opened.
    public let recoveryReport: RecoveryReport
    let environment: LogEnvironment
    /// Messages and bytes appended and read out, counted by the storage layer above (metrics).
    public let traffic = PartitionTraffic()
    let state: Lock<PartitionState>
    /// Serialises flush rounds. A plain pthread mutex: a flusher thread waiting while a loop syncs inline (a
    /// whole `msync`) would otherwise spin in `Mutex`'s slow path (9 % of user time with two loops, perf).
    let flushLock = Lock(())
    /// A copy of `configuration.flushPolicy == .always`, readable without the state lock: the blocking
    /// `append` allocates its wait object only for `always`.
    let policyIsAlways: Atomic<Bool>

    let retentionLock = Mutex(())
    /// Where the last read stopped (see ``ReadHint``): a reader tailing the log starts its next read there
    /// instead of at the sparse index entry before it.
    let readHint = Mutex(ReadHint())

    init(directory: String, environment: LogEnvironment, state: PartitionState, report: RecoveryReport) {
        self.directory = directory
        self.environment = environment
        self.state = Lock(state)
        self.policyIsAlways = Atomic(state.configuration.flushPolicy == .always)
        self.recoveryReport = report
    }

    /// The partition's current settings.
    public var configuration: LogConfiguration { state.withLock { $0.configuration } }

    /// Replaces the settings (validated first). Applies to the next append, roll, flush and retention pass.
    public func updateConfiguration(_ configuration: LogConfiguration) throws(LogError) {
        try configuration.validate()
        state.withLock { state in
            state.configuration = configuration
            policyIsAlways.store(configuration.flushPolicy == .always, ordering: .relaxed)
        }
    }

    /// The first offset still in the log (advanced by retention).
    public var logStartOffset: Int64 { state.withLock { $0.logStartOffset } }
    /// The offset the next appended record will get (the log end offset).
    public var nextOffset: Int64 { state.withLock { $0.active.nextOffset } }
    /// Every record below this offset is on stable storage.
    public var flushedOffset: Int64 { state.withLock { $0.flushedOffset } }
    /// Bytes of all segments (valid data only, not preallocated space).
    public var sizeInBytes: Int64 { state.withLock { $0.closedBytes + Int64($0.active.written) } }
    /// Start offset, end offset and size in bytes, read together.
    public var bounds: (start: Int64, end: Int64, size: Int64) {
        state.withLock { ($0.logStartOffset, $0.active.nextOffset, $0.closedBytes + Int64($0.active.written)) }
    }
    /// The number of segments, the active one included.
    public var segmentCount: Int { state.withLock { $0.closed.count + 1 } }
    /// The base offsets of all segments in order (the last is the active segment's).
    public var segmentBaseOffsets: [Int64] { state.withLock { $0.closed.map(\.baseOffset) + [$0.active.baseOffset] } }
    /// The number of sync rounds that wrote data so far (group commits, interval and explicit flushes).
    public var syncCount: Int { state.withLock { $0.syncCount } }
    /// Whether ``close()`` was called.
    public var isClosed: Bool { state.withLock { $0.isClosed } }

    /// Calls `callback` once, as soon as `nextOffset > offset` (the record at `offset` exists) or the log closes.
    /// If that is already true, calls it right away on this thread. Otherwise it runs on the appending thread
    /// right after the append that satisfies it (outside the lock); it must not block. Costs no thread.
    @discardableResult
    public func notifyWhenAppended(after offset: Int64, _ callback: @escaping @Sendable () -> Void) -> AppendWaiterToken
    {
        let token: AppendWaiterToken? = state.withLock { state in
            if state.isClosed || state.active.nextOffset > offset { return nil }
            let id = state.nextWaiterID
            state.nextWaiterID += 1
            state.appendWaiters[id] = (offset, callback)
            return AppendWaiterToken(id: id)
        }
        guard let token else {
            callback()
            return AppendWaiterToken(id: 0)
        }
        return token
    }

    /// Removes a registration. Returns true if it was removed before firing (then it never fires).
    @discardableResult
    public func cancelAppendNotification(_ token: AppendWaiterToken) -> Bool {
        state.withLock { $0.appendWaiters.removeValue(forKey: token.id) != nil }
    }

    /// Closes the log: refuses new appends, syncs everything, makes the active segment's index files final,
    /// trims its preallocated space, wakes every append waiter. Records already returned stay valid.
    /// Idempotent; blocks.
    public func close() { close(synchronize: true) }

    /// `synchronize: false` skips the final sync: the caller syncs the whole file system at once afterwards
    /// (``LogManager/shutdown()`` with thousands of partitions).
    func close(synchronize: Bool) {
        let (alreadyClosed, waiting) = state.withLock { state -> (Bool, Bool) in
            defer { state.isClosed = true }
            return (state.isClosed, !state.durabilityWaiters.isEmpty)
        }
        if alreadyClosed { return }
        if synchronize || waiting { _ = try? flush() }
        let (wakeups, failed, segments) = state.withLock { state in
            state.active.finishIndexAndTrim()
            let failed = state.durabilityWaiters
            state.durabilityWaiters = []
            return (state.takeSatisfiedAppendWaiters(), failed, state.closed)
        }
        for wakeup in wakeups { wakeup() }
        for waiter in failed { waiter.callback(.failure(.closed)) }
        for segment in segments { environment.cache.remove(segment) }
    }
}
