import FerrySystem

/// Something the initializer thread can prepare (a ``PartitionLog``).
protocol InitializeTarget: AnyObject, Sendable {
    /// Writes zeros ahead of the active segment's writer (see ``PartitionLog/runInitialization()``). Blocks on
    /// disk writes; never holds the partition's lock while it waits for the disk.
    func runInitialization()
}

/// The thread that writes zeros ahead of the writers of ``FlushPolicy/always`` partitions.
///
/// Why: space preallocated with `posix_fallocate` is *unwritten* on ext4 and XFS. The first sync of each part
/// of it converts that part to written, which changes the file's extent tree, so every group-commit sync also
/// writes the extent block and the inode (3.8 device writes per sync here against 2.2, and 420–490 µs per
/// sync against 290–330 µs with 64 producers). Space that already holds written zeros is only overwritten: a
/// sync writes the data pages and, at most, the inode for its modification time.
///
/// A partition asks for initialization (``request(_:)``) when less than half of its next growth is left ahead
/// of its writer; this thread then extends the allocation with zeros, 16 KiB per hold of the partition's lock,
/// and writes them back in 256 KiB steps outside it. Requests are served one at a time, in order. A writer
/// that catches up falls back to `posix_fallocate` as before, so nothing ever waits for this thread.
/// Thread-safe.
public final class SegmentInitializer: Sendable {
    private struct State {
        var queue: [any InitializeTarget] = []
        var stopping = false
    }
    private let state = ConditionLock(State())
    private let thread = ConditionLock<SystemThread?>(nil)

    /// Starts the thread.
    public init() {
        let thread = SystemThread(name: "ferry-initialize") { [state] in Self.run(state) }
        self.thread.withLock { $0 = thread }
    }

    /// Queues `target`; false (nothing queued) after ``shutdown()``. The caller deduplicates.
    func request(_ target: any InitializeTarget) -> Bool {
        state.withLockThenSignal { state -> Bool in
            if state.stopping { return false }
            state.queue.append(target)
            return true
        }
    }

    /// Runs what is queued, then stops and joins the thread. Idempotent.
    public func shutdown() {
        state.withLockThenSignal(broadcast: true) { $0.stopping = true }
        let thread = self.thread.withLock { thread -> SystemThread? in
            defer { thread = nil }
            return thread
        }
        thread?.join()
    }

    private static func run(_ state: ConditionLock<State>) {
        while true {
            let next: (any InitializeTarget)?? = state.wait(deadline: { _ in nil }) { state in
                if !state.queue.isEmpty { return .some(state.queue.removeFirst()) }
                return state.stopping ? .some(nil) : nil
            }
            guard let target = next.flatMap({ $0 }) else { return }
            target.runInitialization()
        }
    }
}
