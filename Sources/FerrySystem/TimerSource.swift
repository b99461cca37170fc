/// A monotonic clock that can also run work later: what timed code (webhook retry backoff, periodic refreshes)
/// takes instead of reading ``MonotonicClock`` and calling `DispatchQueue.asyncAfter` itself, so a test can step
/// time by hand (`FerryTesting.ManualTimerSource`) instead of sleeping.
///
/// Contract for conformances: `Sendable`; both methods may be called from any thread and never block.
/// Scheduled work runs once, no earlier than its delay, never synchronously inside ``schedule(after:_:)``,
/// on a thread where it may block briefly (not an event loop, not the cooperative pool). Work scheduled for
/// the same instant runs in the order it was scheduled only if the conformance says so.
public protocol TimerSource: Sendable {
    /// Monotonic nanoseconds since an arbitrary fixed point (durations only, never timestamps).
    func nanoseconds() -> UInt64

    /// Runs `work` once, `delay` from now (at once when `delay <= .zero`).
    func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void)
}

extension TimerSource where Self == DispatchTimerSource {
    /// The real clock with Dispatch timers.
    public static var system: DispatchTimerSource { DispatchTimerSource() }
}
