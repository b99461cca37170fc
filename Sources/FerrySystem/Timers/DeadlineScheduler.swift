import Dispatch

/// Runs work at monotonic deadlines, for ``SystemTimerSource``: one thread (`ferry-timers`) sleeps until the
/// earliest deadline in a ``DeadlineHeap`` and hands each due piece of work to a Dispatch worker.
///
/// Why not a `DispatchSource` timer per deadline: arming and cancelling one goes through Dispatch's manager
/// thread (an `eventfd` write and read and a thread wake-up each, measured: about four system calls and two
/// thread wake-ups per long-poll), and a long-poll or a Server-Sent Events stream arms one per wait and cancels
/// it as soon as data comes, which is on the path of every delivery. Here scheduling is a heap insert under a
/// lock, and the thread is woken only when the new deadline is earlier than the one it sleeps until (the first
/// timer, or a shorter one); cancelling is a heap removal and never wakes it (it may wake once for nothing at the
/// cancelled deadline).
///
/// Thread-safe; ``schedule(at:_:)`` and ``cancel(_:)`` never block beyond the lock. The work runs on a Dispatch
/// global-queue worker, never on the caller's thread and never on the timer thread (a slow piece of work delays
/// no other deadline). Lives for the process (``shared``).
final class DeadlineScheduler: Sendable {
    struct State {
        var heap = DeadlineHeap()
        var sequence: UInt64 = 0
        /// The deadline the timer thread sleeps until (`UInt64.max`: no timeout), 0 while it is awake: a schedule
        /// signals only when its deadline is earlier.
        var sleepingUntil: UInt64 = 0
    }

    /// The one scheduler of the process; its thread starts on first use.
    static let shared = DeadlineScheduler()

    private let state = ConditionLock(State())

    private init() {
        SystemThread.detached(name: "ferry-timers") { [self] in run() }
    }

    /// Schedules `work` for `deadline` (monotonic nanoseconds); returns the entry to ``cancel(_:)``.
    func schedule(at deadline: UInt64, _ work: @escaping @Sendable () -> Void) -> TimerEntry {
        let wake = state.withLock { state -> (TimerEntry, Bool) in
            state.sequence &+= 1
            let entry = TimerEntry(deadline: deadline, sequence: state.sequence, work: work)
            state.heap.insert(entry)
            guard deadline < state.sleepingUntil else { return (entry, false) }
            state.sleepingUntil = deadline  // one signal is enough until the thread sleeps again
            return (entry, true)
        }
        if wake.1 { state.signal() }
        return wake.0
    }

    /// Takes `entry` out: its work will not start unless it already has, and it is released (outside the lock:
    /// releasing it may run arbitrary deinitialisers).
    func cancel(_ entry: TimerEntry) {
        _ = takeWork(entry)
    }

    /// Takes `entry` out of the heap (if still there) and its work out of it, for the one caller that gets it:
    /// the Dispatch worker that runs a due entry, or ``cancel(_:)``, whichever comes first.
    private func takeWork(_ entry: TimerEntry) -> (@Sendable () -> Void)? {
        state.withLock { state in
            state.heap.remove(entry)
            defer { entry.work = nil }
            return entry.work
        }
    }

    /// The timer thread: waits for due entries and hands them to Dispatch workers, forever.
    private func run() {
        while true {
            let due = state.wait(deadline: { $0.sleepingUntil == .max ? nil : $0.sleepingUntil }) {
                state -> [TimerEntry]? in
                let now = MonotonicClock.nanoseconds()
                var due: [TimerEntry] = []
                while (state.heap.first?.deadline ?? .max) <= now, let entry = state.heap.popFirst() {
                    due.append(entry)
                }
                if due.isEmpty {
                    state.sleepingUntil = state.heap.first?.deadline ?? .max
                    return nil
                }
                state.sleepingUntil = 0
                return due
            }
            for entry in due {
                DispatchQueue.global().async { [self] in takeWork(entry)?() }  // nil: cancelled after it fell due
            }
        }
    }
}
