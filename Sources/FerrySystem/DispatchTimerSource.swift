import Dispatch

/// The production ``TimerSource``: ``MonotonicClock`` and Dispatch global-queue timers (work runs on a Dispatch
/// worker thread). Stateless; `Sendable`.
public struct DispatchTimerSource: TimerSource {
    public init() {}

    public func nanoseconds() -> UInt64 { MonotonicClock.nanoseconds() }

    public func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) {
        guard delay > .zero else {
            DispatchQueue.global().async(execute: work)
            return
        }
        let (seconds, attoseconds) = delay.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds), execute: work)
    }
}
