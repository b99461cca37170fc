import FerrySystem

/// Something the flusher threads can flush (a ``PartitionLog``).
protocol FlushTarget: AnyObject, Sendable {
    /// Syncs everything written so far and completes the durability callbacks it covers. Blocks on fsync.
    func runScheduledFlush()
}

/// The dedicated flusher threads: group commit for `FlushPolicy.always` and timed flushes for `interval`.
///
/// Appenders never sync on their own thread in the callback form (except an event loop, at the end of its
/// turn: see ``PartitionLog/appendDeferringDurability(_:onDurable:)``): they enqueue their partition here
/// (``requestFlush(_:)``, deduplicated by the partition) and return. A flusher thread takes the partition,
/// snapshots how far it is written, does one `msync` for everything written so far, and completes every
/// waiter that sync covers; appends that arrive meanwhile are covered by the next round (group commit).
/// Urgent requests are served before timed ones. Thread-safe.
public final class FlushScheduler: Sendable {
    private struct State {
        var urgent: [any FlushTarget] = []
        var urgentHead = 0
        /// Timed flushes (`interval`), by due time; each entry's work flushes its target.
        var timed = DeadlineHeap()
        var timedSequence: UInt64 = 0
        var stopping = false
    }
    /// What a flusher thread takes next.
    private enum Job {
        case urgent(any FlushTarget)
        case timed(@Sendable () -> Void)
        case stop
    }
    private let state = ConditionLock(State())
    private let threads: ConditionLock<[SystemThread]> = ConditionLock([])

    /// Starts `threadCount` flusher threads (at least 1). More than one lets slow syncs of different
    /// partitions overlap.
    public init(threadCount: Int = 2) {
        let threads = (0..<max(1, threadCount)).map { number in
            SystemThread(name: "ferry-flush-\(number)") { [state] in Self.run(state) }
        }
        self.threads.withLock { $0 = threads }
    }

    /// Queues `target` for a flush as soon as a thread is free. The caller deduplicates.
    func requestFlush(_ target: any FlushTarget) {
        let accepted = state.withLockThenSignal { state -> Bool in
            if state.stopping { return false }
            state.urgent.append(target)
            return true
        }
        if !accepted { target.runScheduledFlush() }  // after shutdown: correctness over latency
    }

    /// Queues `target` for a flush `milliseconds` from now. The caller deduplicates.
    func scheduleFlush(_ target: any FlushTarget, afterMilliseconds milliseconds: Int) {
        let due = MonotonicClock.nanoseconds() + UInt64(max(0, milliseconds)) * 1_000_000
        let accepted = state.withLockThenSignal { state -> Bool in
            if state.stopping { return false }
            state.timedSequence &+= 1
            state.timed.insert(
                TimerEntry(deadline: due, sequence: state.timedSequence) { target.runScheduledFlush() })
            return true
        }
        if !accepted { target.runScheduledFlush() }
    }

    /// Runs the remaining requests (timed ones immediately), then stops and joins the threads. Idempotent.
    public func shutdown() {
        state.withLockThenSignal(broadcast: true) { $0.stopping = true }
        let threads = self.threads.withLock { threads -> [SystemThread] in
            defer { threads = [] }
            return threads
        }
        for thread in threads { thread.join() }
    }

    private static func run(_ state: ConditionLock<State>) {
        while true {
            let job: Job = state.wait(deadline: { $0.timed.first?.deadline }) { state -> Job? in
                if state.urgentHead < state.urgent.count {
                    let target = state.urgent[state.urgentHead]
                    state.urgentHead += 1
                    if state.urgentHead == state.urgent.count {
                        state.urgent.removeAll(keepingCapacity: true)
                        state.urgentHead = 0
                    }
                    return .urgent(target)
                }
                if let first = state.timed.first, state.stopping || first.deadline <= MonotonicClock.nanoseconds(),
                    let work = state.timed.popFirst()?.work
                {
                    return .timed(work)
                }
                return state.stopping ? .stop : nil
            }
            switch job {
            case .urgent(let target): target.runScheduledFlush()
            case .timed(let work): work()
            case .stop: return
            }
        }
    }
}
