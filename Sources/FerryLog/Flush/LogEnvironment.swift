import FerrySystem

/// What partitions share: the flusher threads, the mapping budget and the clock.
///
/// A ``LogManager`` creates one; tests and tools may create one to open a ``PartitionLog`` on its own.
/// Thread-safe. Call ``shutdown()`` after closing the logs that use it.
public final class LogEnvironment: Sendable {
    /// The group-commit and interval flusher threads.
    public let flusher: FlushScheduler
    /// The LRU budget of mapped closed segments.
    public let cache: SegmentCache
    /// Wall-clock milliseconds (injectable for tests); used for time-based segment rolls.
    public let clock: @Sendable () -> Int64

    public init(
        maxMappedSegments: Int = 512,
        flusherThreads: Int = 2,
        clock: @escaping @Sendable () -> Int64 = { WallClock.milliseconds() }
    ) {
        self.flusher = FlushScheduler(threadCount: flusherThreads)
        self.cache = SegmentCache(capacity: maxMappedSegments)
        self.clock = clock
    }

    /// Stops the flusher threads (running what is queued first).
    public func shutdown() { flusher.shutdown() }
}
