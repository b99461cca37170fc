import CFerryLinux
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The task queue of one epoll loop thread: items posted from any thread, drained by the loop once per turn,
/// with the `eventfd` that wakes the loop from `epoll_wait` and the loop's ``EndOfTurnQueue``.
///
/// A post from another thread writes the `eventfd` when the loop may be asleep (once until the next drain). A
/// post from the loop thread itself (an answer completed by its own end-of-turn work) writes nothing: the loop
/// drains before it sleeps and waits with a zero timeout while items are queued (``pollTimeout(_:)``), which
/// saves the `write`, the extra `epoll_wait` and the `read` a self-wake would cost.
///
/// Thread-safe for ``post(_:)`` and ``isOnOwnerThread``; everything else is for the owner thread. The per-request
/// methods are inlinable, so each loop gets them specialised for its task type instead of generic code that looks
/// the type's metadata up at run time on every post (measured: about 2 % of a single-message produce).
public final class LoopMailbox<Item: Sendable>: @unchecked Sendable, LoopWakeable {
    /// The descriptor to register for `EPOLLIN`; call ``acknowledgeWake()`` when it is readable.
    public let wakeFD: Int32
    /// Work the owner thread puts off until the end of its turn (installed by ``bindToCurrentThread()``).
    public let endOfTurn = EndOfTurnQueue()
    @usableFromInline
    struct Queue {
        @usableFromInline var items: [Item] = []
        @usableFromInline var wakePending = false
        /// An emptied array whose storage the next turn's posts reuse (no allocation per turn).
        @usableFromInline var spare: [Item] = []
        @usableFromInline init() {}
    }
    @usableFromInline let queue = Mutex(Queue())
    @usableFromInline let ownerThread = Atomic<UInt>(0)

    public init() throws(SystemError) {
        wakeFD = try syscall("eventfd") { eventfd(0, CFERRY_EFD_NONBLOCK | CFERRY_EFD_CLOEXEC) }
    }

    deinit { Glibc.close(wakeFD) }

    /// Makes the calling thread the owner (the loop thread) and installs its end-of-turn queue.
    public func bindToCurrentThread() {
        ownerThread.store(UInt(pthread_self()), ordering: .relaxed)
        endOfTurn.install()
    }

    /// Ends the binding on the owner thread (the loop stopped).
    public func unbindFromCurrentThread() {
        endOfTurn.uninstall()
    }

    /// True on the owner thread.
    @inlinable
    public var isOnOwnerThread: Bool { ownerThread.load(ordering: .relaxed) == UInt(pthread_self()) }

    /// Queues `item` for the next drain; from another thread, wakes the loop if it may be sleeping (at the end of
    /// the poster's ``WakeBatch``, when it has one).
    @inlinable
    public func post(_ item: Item) {
        if isOnOwnerThread {
            queue.withLock { $0.items.append(item) }
            return
        }
        let needsWake = queue.withLock { queue in
            queue.items.append(item)
            let wake = !queue.wakePending
            queue.wakePending = true
            return wake
        }
        if needsWake {
            if !WakeBatch.deferWake(self) { wake() }
        }
    }

    /// Writes the `eventfd`, waking the loop from `epoll_wait`. Any thread.
    public func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    /// Consumes the `eventfd`'s count (its descriptor was reported readable).
    public func acknowledgeWake() {
        var value: UInt64 = 0
        _ = Glibc.read(wakeFD, &value, 8)
    }

    /// Ends a turn in rounds: `perform` gets each round's items, and `flush` writes the answers. A round runs
    /// the end-of-turn work, then the queued items (in post order), then `flush`; the next round starts
    /// after the end-of-turn syncs, whose answers it writes, and so on until a round had no syncs. So answers
    /// that do not wait for a sync leave before it, and the synced ones right after it. Syncs put off to this
    /// turn (``EndOfTurnQueue/addAfterNextPoll(_:)``) run with the first round's. Owner thread only.
    ///
    /// A round whose end-of-turn work ran (deliveries: long-polls and streams woken by this turn's appends)
    /// yields the core once before its syncs. The clients it just wrote to are often woken on this very core
    /// (the kernel places a woken task near its waker), and would otherwise wait until the sync blocks: submitting
    /// it takes 50-100 µs of this core on a virtual machine. Measured, one loop, a long-poll woken by a durable
    /// produce: p50 0.22-0.27 ms without, 0.13 with. A yield with nothing else runnable returns at once; rounds
    /// without such work (a plain durable produce) do not yield.
    @inlinable
    public func finishTurn(perform: ([Item]) -> Void, flush: () -> Void) {
        endOfTurn.beginTurnEnd()
        repeat {
            let delivered = endOfTurn.runWork()
            var items = takeItems()
            if !items.isEmpty {
                perform(items)
                items.removeAll(keepingCapacity: true)
                queue.withLock { queue in if queue.spare.capacity < items.capacity { swap(&queue.spare, &items) } }
            }
            flush()
            if delivered && endOfTurn.hasSyncs { sched_yield() }
        } while endOfTurn.runSyncs()
    }

    /// Takes every queued item (in post order). Owner thread only.
    @inlinable
    public func takeItems() -> [Item] {
        queue.withLock { queue in
            var items: [Item] = []
            swap(&items, &queue.items)
            swap(&queue.items, &queue.spare)  // the emptied storage of an earlier turn, if any
            queue.wakePending = false
            return items
        }
    }

    /// The `epoll_wait` timeout to use: 0 while items or end-of-turn work are waiting (posted by the loop
    /// itself after its last drain), `idle` otherwise.
    @inlinable
    public func pollTimeout(_ idle: Int32) -> Int32 {
        if endOfTurn.hasPending { return 0 }
        return queue.withLock { $0.items.isEmpty } ? idle : 0
    }
}
