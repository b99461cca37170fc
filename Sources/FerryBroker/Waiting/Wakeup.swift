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

    /// Arms a deadline `milliseconds` from now.
    public func fire(after milliseconds: Int, reason: WakeReason = .timeout) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [self] in
            fire(reason)
        }
    }
}
