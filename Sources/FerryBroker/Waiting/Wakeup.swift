import Dispatch
import Synchronization

/// Why a held request woke up.
public enum WakeReason: Sendable, Equatable {
    /// A watched partition got new messages.
    case data
    /// The wait ended without data.
    case timeout
    /// The group rebalanced (member fetches only).
    case rebalance
    /// The client went away or the server is shutting down.
    case cancelled
}

/// A one-shot wake-up shared by several sources (appends on any of several partitions, a deadline, a
/// rebalance, the client going away). The first source to fire wins; later ones are no-ops.
///
/// Costs no thread while armed: sources hold a reference and call ``fire(_:)``. On firing, every registered
/// canceller runs (so the other sources forget this waiter) and the action runs on a Dispatch global queue,
/// never on the thread that fired (an appender must not pay for readers' work).
public final class Wakeup: Sendable {
    let fired = Atomic<Bool>(false)
    let cancellers = Mutex<[@Sendable () -> Void]>([])
    let action: @Sendable (WakeReason) -> Void

    public init(_ action: @escaping @Sendable (WakeReason) -> Void) {
        self.action = action
    }

    /// Whether a source already fired.
    public var hasFired: Bool { fired.load(ordering: .acquiring) }

    /// Registers cleanup to run when any source fires (at once if one already did).
    public func onFire(cancel: @escaping @Sendable () -> Void) {
        let runNow = cancellers.withLock { list -> Bool in
            if fired.load(ordering: .acquiring) { return true }
            list.append(cancel)
            return false
        }
        if runNow { cancel() }
    }

    /// Fires once; returns false if another source fired first.
    @discardableResult
    public func fire(_ reason: WakeReason) -> Bool {
        guard fired.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return false
        }
        let list = cancellers.withLock { list in
            defer { list = [] }
            return list
        }
        list.forEach { $0() }
        let action = self.action
        DispatchQueue.global().async { action(reason) }
        return true
    }

    /// Arms a deadline `milliseconds` from now. The timer is cancelled as soon as any source fires, which
    /// releases it and this wake-up (with everything its action holds: the request, its responder) at once,
    /// not at the deadline: a stream of 60 s long-polls answered quickly must not pile up.
    public func fire(after milliseconds: Int, reason: WakeReason = .timeout) {
        let timer = DeadlineTimer(DispatchSource.makeTimerSource(queue: .global()))
        timer.source.schedule(deadline: .now() + .milliseconds(milliseconds))
        // A cycle (self → cancellers → timer → handler → self) until either fires; firing breaks it.
        timer.source.setEventHandler { [self] in fire(reason) }
        onFire { timer.source.cancel() }
        timer.source.resume()
    }
}

/// A Dispatch timer handed between threads: Dispatch sources are thread-safe (`cancel` from any thread), the
/// Swift overlay just does not say so.
struct DeadlineTimer: @unchecked Sendable {
    let source: any DispatchSourceTimer
    init(_ source: any DispatchSourceTimer) { self.source = source }
}
