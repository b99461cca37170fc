import FerrySystem
import Synchronization

/// Timers on a clock a test moves by hand (``advance(by:)``): handlers run on the advancing thread, in deadline
/// order, when the clock reaches them; nothing sleeps. Starts at 0 ms. Thread-safe.
public final class ManualTimerSource: TimerSource {
    private struct Pending {
        let id: Int
        let deadline: Int64
        let handler: @Sendable () -> Void
    }
    private struct State {
        var now: Int64 = 0
        var nextID = 0
        var pending: [Pending] = []
    }
    private let state = Mutex(State())

    public init() {}

    /// Milliseconds the clock has been advanced in total.
    public var milliseconds: Int64 { state.withLock { $0.now } }

    /// Timers armed and neither fired nor cancelled.
    public var pendingCount: Int { state.withLock { $0.pending.count } }

    public func schedule(after milliseconds: Int, _ handler: @escaping @Sendable () -> Void) -> TimerCancellation {
        let id = state.withLock { state in
            state.nextID += 1
            let deadline = state.now + Int64(max(0, milliseconds))
            state.pending.append(Pending(id: state.nextID, deadline: deadline, handler: handler))
            return state.nextID
        }
        return TimerCancellation { [self] in state.withLock { $0.pending.removeAll { $0.id == id } } }
    }

    /// Moves the clock forward and runs every handler now due (including ones those handlers arm, if due).
    public func advance(by milliseconds: Int64) {
        state.withLock { $0.now += milliseconds }
        while let next = takeDue() { next() }
    }

    private func takeDue() -> (@Sendable () -> Void)? {
        state.withLock { state in
            guard let index = state.pending.indices.filter({ state.pending[$0].deadline <= state.now })
                .min(by: { state.pending[$0].deadline < state.pending[$1].deadline })
            else { return nil }
            return state.pending.remove(at: index).handler
        }
    }
}
