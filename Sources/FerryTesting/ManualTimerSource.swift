import FerrySystem
import Synchronization

/// A ``FerrySystem/TimerSource`` whose time only moves when a test calls ``advance(by:)``: scheduled work runs
/// then, on the calling thread, in deadline order (ties in scheduling order). No sleeping, no timed assertions.
///
/// Thread-safety: `Sendable`; work may be scheduled from any thread (also from inside work that is running).
/// ``advance(by:)`` runs due work outside the lock, so that work may schedule more (due work scheduled while
/// advancing runs in the same call). Call ``advance(by:)`` from one thread at a time.
public final class ManualTimerSource: TimerSource {
    struct Pending {
        var deadline: UInt64
        /// Scheduling order (ties run in it); also what a cancellation names.
        var sequence: UInt64
        var work: @Sendable () -> Void
    }

    struct State {
        var now: UInt64
        var sequence: UInt64 = 0
        var pending: [Pending] = []
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state: Mutex<State>

    /// Starts at `start` nanoseconds.
    public init(nanoseconds start: UInt64 = 1_000_000_000) {
        state = Mutex(State(now: start))
    }

    public func nanoseconds() -> UInt64 { state.withLock { $0.now } }

    @discardableResult
    public func schedule(after delay: Duration, _ work: @escaping @Sendable () -> Void) -> TimerCancellation {
        let (sequence, woken) = state.withLock { state -> (UInt64, [CheckedContinuation<Void, Never>]) in
            let deadline = state.now + UInt64(max(delay.wholeNanoseconds, 0))
            state.sequence += 1
            state.pending.append(Pending(deadline: deadline, sequence: state.sequence, work: work))
            let count = state.pending.count
            let ready = state.waiters.filter { $0.count <= count }.map(\.continuation)
            state.waiters.removeAll { $0.count <= count }
            return (state.sequence, ready)
        }
        for continuation in woken { continuation.resume() }
        return TimerCancellation { [self] in state.withLock { $0.pending.removeAll { $0.sequence == sequence } } }
    }

    /// Work scheduled and neither run nor cancelled.
    public var pendingCount: Int { state.withLock { $0.pending.count } }

    /// The delays (from now) of the work not run yet, soonest first.
    public var pendingDelays: [Duration] {
        state.withLock { state in
            state.pending.sorted { ($0.deadline, $0.sequence) < ($1.deadline, $1.sequence) }
                .map { .nanoseconds(Int64($0.deadline - state.now)) }
        }
    }

    /// Suspends until at least `count` pieces of work are pending (scheduled, not run yet).
    public func waitUntilPending(_ count: Int = 1) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                guard state.pending.count < count else { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Moves time forward by `delay`, running every piece of work that falls due on the way (each at its own
    /// deadline, so work it schedules can fall due within the same call).
    public func advance(by delay: Duration) {
        let target = state.withLock { $0.now } + UInt64(max(delay.wholeNanoseconds, 0))
        while let due = takeNext(until: target) { due() }
        state.withLock { $0.now = max($0.now, target) }
    }

    private func takeNext(until target: UInt64) -> (@Sendable () -> Void)? {
        state.withLock { state in
            guard
                let index = state.pending.indices.min(by: {
                    (state.pending[$0].deadline, state.pending[$0].sequence)
                        < (state.pending[$1].deadline, state.pending[$1].sequence)
                }),
                state.pending[index].deadline <= target
            else { return nil }
            let next = state.pending.remove(at: index)
            state.now = max(state.now, next.deadline)
            return next.work
        }
    }
}
