/// A monotonic clock that can also run work later: what timed code (long-poll deadlines, webhook retry backoff,
/// periodic refreshes) takes instead of reading ``MonotonicClock`` and arming timers itself, so a test
/// can step time by hand (`FerryTesting.ManualTimerSource`) instead of sleeping.
///
/// Contract for conformances: `Sendable`; every method may be called from any thread and never blocks.
/// Scheduled work runs once, no earlier than its delay, never synchronously inside ``schedule(after:_:)``, on a
/// thread of the source (a Dispatch worker, or the thread advancing a manual clock) where it may block briefly
/// (never an event loop, never the cooperative pool).
public protocol TimerSource: Sendable {
    /// Monotonic nanoseconds since an arbitrary fixed point (durations only, never timestamps).
    func nanoseconds() -> UInt64

    /// Runs `work` once, `delay` from now (as soon as possible when `delay <= .zero`). The returned cancellation
    /// may be called from any thread, any number of times; once it returns, `work` will not start (it may have
    /// started already) and is released.
    @discardableResult
    func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) -> TimerCancellation
}

/// Cancels one scheduled piece of work (see ``TimerSource/schedule(after:_:)``). Thread-safe.
public struct TimerCancellation: Sendable {
    private let body: @Sendable () -> Void

    public init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
    }

    public func callAsFunction() { body() }
}

extension TimerSource where Self == SystemTimerSource {
    /// The real clock with the process's deadline scheduler (the default everywhere outside tests).
    public static var system: SystemTimerSource { SystemTimerSource() }
}
