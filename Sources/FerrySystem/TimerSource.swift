import Dispatch

/// Something that runs a handler once after a delay: Dispatch timers in production (``DispatchTimerSource``),
/// a hand-moved clock in tests (`ManualTimerSource` in FerryTesting), so deadlines can be tested without sleeping.
///
/// Implementations are thread-safe. A handler never runs synchronously inside ``schedule(after:_:)``; it runs on
/// a thread of the source (a Dispatch global queue, or the thread that advances a manual clock) and must not
/// block it for long.
public protocol TimerSource: Sendable {
    /// Runs `handler` once, about `milliseconds` from now (at once for 0 or less). The returned cancellation may be
    /// called from any thread, any number of times; once it returns, the handler runs no more (unless it had
    /// already started) and is released.
    func schedule(after milliseconds: Int, _ handler: @escaping @Sendable () -> Void) -> TimerCancellation
}

/// Cancels one scheduled timer (see ``TimerSource/schedule(after:_:)``). Thread-safe.
public struct TimerCancellation: Sendable {
    private let body: @Sendable () -> Void

    public init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
    }

    public func callAsFunction() { body() }
}

/// Timers on `DispatchSource` over the global queue: costs no thread while armed. Thread-safe.
public struct DispatchTimerSource: TimerSource {
    public init() {}

    public func schedule(after milliseconds: Int, _ handler: @escaping @Sendable () -> Void) -> TimerCancellation {
        let timer = DispatchDeadlineTimer(DispatchSource.makeTimerSource(queue: .global()))
        timer.source.schedule(deadline: .now() + .milliseconds(max(0, milliseconds)))
        timer.source.setEventHandler(handler: handler)
        timer.source.resume()
        // Cancelling releases the handler (and what it captured) at once, not at the deadline.
        return TimerCancellation { timer.source.cancel() }
    }
}

extension TimerSource where Self == DispatchTimerSource {
    /// Dispatch timers (the default everywhere outside tests).
    public static var dispatch: DispatchTimerSource { DispatchTimerSource() }
}

/// A Dispatch timer handed between threads: Dispatch sources are thread-safe (`cancel` from any thread), the
/// Swift overlay just does not say so.
struct DispatchDeadlineTimer: @unchecked Sendable {
    let source: any DispatchSourceTimer
    init(_ source: any DispatchSourceTimer) { self.source = source }
}
