import FerrySystem
import Synchronization

/// What partitions share: the flusher threads, the initializer thread, the mapping and descriptor budgets and
/// the clock.
///
/// A ``LogManager`` creates one; tests and tools may create one to open a ``PartitionLog`` on its own.
/// Thread-safe. Call ``shutdown()`` after closing the logs that use it.
public final class LogEnvironment: Sendable {
    /// The group-commit and interval flusher threads.
    public let flusher: FlushScheduler
    /// Writes zeros ahead of `always` partitions' writers; nil when turned off.
    public let initializer: SegmentInitializer?
    /// The LRU budget of mapped closed segments.
    public let cache: SegmentCache
    /// How many active segments may keep a descriptor open for `pwrite` (``SegmentWriter``) at once.
    let writerDescriptors: DescriptorBudget
    /// Wall-clock milliseconds (injectable for tests); used for time-based segment rolls.
    public let clock: @Sendable () -> Int64
    /// An event loop syncs its own `always` appends at the end of its turn (see ``EndOfTurnQueue``) only while
    /// syncs take at most this long on average; slower syncs (a spinning disk, a congested device) go to the
    /// flusher threads, so the loop goes on serving reads while the disk works. 0 turns inline syncs off.
    public let inlineSyncLimitNanoseconds: UInt64
    /// The recent sync duration, smoothed (exponential moving average, weight 1/8 for each new sync).
    private let smoothedSyncNanoseconds = Atomic<UInt64>(0)
    /// Hears of every flush round that synced something (see ``observeSyncs(_:)``). A class box, not the
    /// closure itself: copying an optional closure out of the lock on every sync leaked 32 bytes per call
    /// (heaptrack, Swift 6.3), a class reference is only retained and released.
    private let syncObserver = Mutex<SyncObserver?>(nil)

    private final class SyncObserver: Sendable {
        let call: @Sendable (_ nanoseconds: UInt64) -> Void
        init(_ call: @escaping @Sendable (_ nanoseconds: UInt64) -> Void) { self.call = call }
    }

    public init(
        maxMappedSegments: Int = 512,
        maxWriterDescriptors: Int = 1024,
        flusherThreads: Int = 2,
        inlineSyncLimitNanoseconds: UInt64 = 1_000_000,
        initializesAhead: Bool = true,
        clock: @escaping @Sendable () -> Int64 = { WallClock.milliseconds() }
    ) {
        self.flusher = FlushScheduler(threadCount: flusherThreads)
        self.initializer = initializesAhead ? SegmentInitializer() : nil
        self.inlineSyncLimitNanoseconds = inlineSyncLimitNanoseconds
        self.cache = SegmentCache(capacity: maxMappedSegments)
        self.writerDescriptors = DescriptorBudget(maxWriterDescriptors)
        self.clock = clock
    }

    /// Calls `observer` after every flush round that synced data (on the flusher thread, or the thread of an
    /// explicit ``PartitionLog/flush()``) with how long its `msync`/`fsync` calls took. It must be quick and
    /// must not block (metrics). Replaces any previous observer; nil removes it.
    public func observeSyncs(_ observer: (@Sendable (_ nanoseconds: UInt64) -> Void)?) {
        let box = observer.map(SyncObserver.init)
        syncObserver.withLock { $0 = box }
    }

    /// Reports one flush round to the observer, if any, and folds it into the smoothed sync duration.
    func reportSync(nanoseconds: UInt64) {
        // Concurrent rounds may lose one another's update: the average only steers a choice, it is no count.
        let smoothed = smoothedSyncNanoseconds.load(ordering: .relaxed)
        smoothedSyncNanoseconds.store(smoothed - smoothed / 8 + nanoseconds / 8, ordering: .relaxed)
        syncObserver.withLock { $0 }?.call(nanoseconds)
    }

    /// Whether an event loop may sync inline now (``inlineSyncLimitNanoseconds``).
    var syncsAreQuick: Bool {
        inlineSyncLimitNanoseconds > 0 && smoothedSyncNanoseconds.load(ordering: .relaxed) <= inlineSyncLimitNanoseconds
    }

    /// Stops the initializer and flusher threads (running what is queued first).
    public func shutdown() {
        initializer?.shutdown()
        flusher.shutdown()
    }
}
