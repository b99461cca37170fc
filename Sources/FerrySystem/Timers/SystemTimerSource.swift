/// The production ``TimerSource``: ``MonotonicClock`` and the process's ``DeadlineScheduler`` (work runs on a
/// Dispatch worker thread; an armed timer costs a heap entry, no thread and no system call). Stateless;
/// `Sendable`.
public struct SystemTimerSource: TimerSource {
    public init() {}

    public func nanoseconds() -> UInt64 { MonotonicClock.nanoseconds() }

    @discardableResult
    public func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) -> TimerCancellation {
        let scheduler = DeadlineScheduler.shared
        let entry = scheduler.schedule(at: Self.deadline(after: delay, from: nanoseconds()), work)
        return TimerCancellation { scheduler.cancel(entry) }
    }

    /// `now` plus `delay` in nanoseconds: a negative delay is now, one beyond about 290 years is clamped.
    static func deadline(after delay: Duration, from now: UInt64) -> UInt64 {
        let (seconds, attoseconds) = max(delay, .zero).components
        let limit: Int64 = 9_000_000_000  // seconds; keeps the product below UInt64.max / 2
        let nanoseconds = UInt64(min(seconds, limit)) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
        return now &+ nanoseconds
    }
}
