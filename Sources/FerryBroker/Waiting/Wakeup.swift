import Dispatch
import FerrySystem
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
/// canceller runs (so the other sources forget this waiter), and the action runs after the firing code is
/// done, never inside it: fired on an event loop (an append made by a handler), at the end of that loop's turn
/// (``EndOfTurnQueue``), which saves two thread hand-offs per delivery and lets a reader on the same loop be
/// answered in the same turn's writes; fired anywhere else, on a Dispatch global queue. A deadline armed with
/// ``fire(after:reason:)`` runs the action directly on its timer's thread, which is already not a caller's.
public final class Wakeup: Sendable {
    let fired = Atomic<Bool>(false)
    let cancellers = Mutex<[@Sendable () -> Void]>([])
    let action: @Sendable (WakeReason) -> Void
    /// Schedules deadlines (the process's timer thread unless a test injects a manual source).
    let timers: any TimerSource

    /// - Parameters:
    ///   - timers: where ``fire(after:reason:)`` schedules its deadline.
    ///   - action: runs once, with the reason of the first source to fire; must not block.
    public init(timers: any TimerSource = .system, _ action: @escaping @Sendable (WakeReason) -> Void) {
        self.timers = timers
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

    /// Fires once; returns false if another source fired first. The action runs at the end of the caller's
    /// loop turn, or on a Dispatch global queue when the caller is no event loop.
    @discardableResult
    public func fire(_ reason: WakeReason) -> Bool {
        guard claim() else { return false }
        let action = self.action
        if let turn = EndOfTurnQueue.current {
            turn.add { action(reason) }
        } else {
            DispatchQueue.global().async { action(reason) }
        }
        return true
    }

    /// Arms a deadline `milliseconds` from now on ``timers``. The timer is cancelled as soon as any source fires,
    /// which releases it and this wake-up (with everything its action holds: the request, its responder) at once,
    /// not at the deadline: a stream of 60 s long-polls answered quickly must not pile up.
    public func fire(after milliseconds: Int, reason: WakeReason = .timeout) {
        // A cycle (self → cancellers → timer → handler → self) until either fires; firing breaks it.
        let cancel = timers.schedule(after: .milliseconds(milliseconds)) { [self] in
            // Already on the timer's thread (never an appender's or a loop's): no second hop.
            if claim() { action(reason) }
        }
        onFire { cancel() }
    }

    /// Marks this wake-up fired and runs the cancellers; false if another source fired first.
    private func claim() -> Bool {
        guard fired.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return false
        }
        let list = cancellers.withLock { list in
            defer { list = [] }
            return list
        }
        list.forEach { $0() }
        return true
    }
}
