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
    private struct Timed {
        let due: UInt64
        let target: any FlushTarget
    }
    private struct State {
        var urgent: [any FlushTarget] = []
        var urgentHead = 0
        var timed: [Timed] = []  // binary min-heap by `due`
        var stopping = false
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
            Self.push(Timed(due: due, target: target), into: &state.timed)
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
            let next: (any FlushTarget)? = state.wait(deadline: { $0.timed.first?.due }) { state in
                if state.urgentHead < state.urgent.count {
                    let target = state.urgent[state.urgentHead]
                    state.urgentHead += 1
                    if state.urgentHead == state.urgent.count {
                        state.urgent.removeAll(keepingCapacity: true)
                        state.urgentHead = 0
                    }
                    return .some(target)
                }
                if let first = state.timed.first, state.stopping || first.due <= MonotonicClock.nanoseconds() {
                    return .some(pop(from: &state.timed).target)
                }
                if state.stopping { return .some(nil) }
                return nil
            }
            guard let target = next else { return }
            target.runScheduledFlush()
        }
    }

    private static func push(_ item: Timed, into heap: inout [Timed]) {
        heap.append(item)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if heap[parent].due <= heap[child].due { break }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private static func pop(from heap: inout [Timed]) -> Timed {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count && heap[left].due < heap[smallest].due { smallest = left }
                if right < heap.count && heap[right].due < heap[smallest].due { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}
