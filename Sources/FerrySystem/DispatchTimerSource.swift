import Dispatch

/// The production ``TimerSource``: ``MonotonicClock`` and `DispatchSource` timers on the global queue (work runs
/// on a Dispatch worker thread; an armed timer costs no thread). Stateless; `Sendable`.
public struct DispatchTimerSource: TimerSource {
    public init() {}

    public func nanoseconds() -> UInt64 { MonotonicClock.nanoseconds() }

    @discardableResult
    public func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) -> TimerCancellation {
        let (seconds, attoseconds) = max(delay, .zero).components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        let timer = DispatchDeadlineTimer(DispatchSource.makeTimerSource(queue: .global()))
        timer.source.schedule(deadline: .now() + .nanoseconds(nanoseconds))
        // The handler holds the source, so a timer whose cancellation is dropped still fires; cancelling it
        // (here after the one firing, or through the cancellation) makes Dispatch release the handler, and with
        // it the source and the work.
        timer.source.setEventHandler {
            timer.source.cancel()
            work()
        }
        timer.source.resume()
        return TimerCancellation { timer.source.cancel() }
    }
}

/// A Dispatch timer handed between threads: Dispatch sources are thread-safe (`cancel` from any thread), the
/// Swift overlay just does not say so.
struct DispatchDeadlineTimer: @unchecked Sendable {
    let source: any DispatchSourceTimer
    init(_ source: any DispatchSourceTimer) { self.source = source }
}
