import CFerryLinux
import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One epoll loop thread: its own listening socket (`SO_REUSEPORT`), wake-up `eventfd`, connections, and task
/// queue.
///
/// Everything except ``enqueue(_:)`` runs on the loop thread. Handlers run synchronously on it, so they must
/// not block. Each turn: socket events (handlers run), then the end-of-turn work handlers left (the inline
/// sync of durable appends, woken long-polls; see ``EndOfTurnQueue``), then the tasks posted since the last
/// turn (deferred responses, stream writes), then every dirty connection is flushed with one write.
final class EventLoop: @unchecked Sendable {
    let index: Int
    let context: ServerContext
    let epollFD: Int32
    /// Tasks from other threads (and from this loop's end-of-turn work), the wake-up `eventfd`, and the
    /// end-of-turn queue.
    let mailbox: LoopMailbox<LoopTask>
    var listenFD: Int32
    let requestIDPrefix: String
    var requestCounter: UInt64 = 0

    var connections: [Connection?] = []
    var connectionCount = 0
    var dirty: [Connection] = []
    /// Requests held by their handlers this turn: at its end, those still unanswered get a ``SocketBypass``
    /// (not at once: a durable produce answered by the turn's own sync never needs one).
    var heldThisTurn: [Connection] = []
    var now: UInt64 = 0
    var nextSweep: UInt64 = 0
    var shuttingDown = false
    var running = true
    var dateCache = DateHeaderCache()
    /// Socket totals of this loop (bytes sent include direct stream writes made by other threads), read by
    /// ``HTTPServer/trafficTotals`` from any thread.
    let bytesReceived = Atomic<Int>(0)
    let bytesSent = Atomic<Int>(0)
    let connectionsAccepted = Atomic<Int>(0)
    /// Idle keep-alive connections of this loop at its last sweep: a hint other loops may claim (decrement)
    /// when over the connection limit. Written by the sweep, claimed with compare-and-swap.
    let idleHint = Atomic<Int>(0)
    /// The deadline of this loop's longest-idle connection at its last sweep (`.max`: none).
    let oldestIdleDeadline = Atomic<UInt64>(.max)
    /// Accepting paused for lack of descriptors or memory: 50 ms doubling to 1 s (one warning per episode).
    var acceptPause = AcceptPause(initialBackoff: 50_000_000, maxBackoff: 1_000_000_000)

    let readBufferSize = 64 * 1024
    let readBuffer: UnsafeMutableRawBufferPointer
    private let events: UnsafeMutablePointer<epoll_event>
    private let maxEvents: Int32 = 256

    init(index: Int, context: ServerContext, listenFD: Int32) throws(SystemError) {
        self.index = index
        self.context = context
        self.listenFD = listenFD
        self.epollFD = try syscall("epoll_create1") { epoll_create1(Int32(CFERRY_SOCK_CLOEXEC)) }
        do {
            self.mailbox = try LoopMailbox()
        } catch {
            Glibc.close(epollFD)
            throw error
        }
        requestIDPrefix = RequestID.makePrefix() + String(index, radix: 16)
        readBuffer = .allocate(byteCount: readBufferSize, alignment: 16)
        events = .allocate(capacity: Int(maxEvents))
        try register(fd: mailbox.wakeFD, events: UInt32(CFERRY_EPOLLIN))
        try register(fd: listenFD, events: UInt32(CFERRY_EPOLLIN))
    }

    deinit {
        readBuffer.deallocate()
        events.deallocate()
        Glibc.close(epollFD)
    }

    /// True on this loop's thread.
    @inline(__always)
    var isOnLoopThread: Bool { mailbox.isOnOwnerThread }

    // MARK: epoll registration

    func register(fd: Int32, events: UInt32) throws(SystemError) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        _ = try syscall("epoll_ctl") { epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) }
    }

    func updateInterest(_ connection: Connection) {
        // After the peer's EOF, RDHUP would stay raised (level-triggered): stop asking for it.
        var mask = connection.machine.peerClosed ? 0 : UInt32(CFERRY_EPOLLRDHUP)
        if connection.readInterest { mask |= UInt32(CFERRY_EPOLLIN) }
        if connection.writeInterest { mask |= UInt32(CFERRY_EPOLLOUT) }
        var event = epoll_event()
        event.events = mask
        event.data.fd = connection.fd
        _ = try? syscall("epoll_ctl") { epoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, &event) }
    }

    // MARK: Cross-thread tasks

    /// Posts a task from any thread; wakes the loop when it may be sleeping in `epoll_wait`.
    func enqueue(_ task: LoopTask) { mailbox.post(task) }

    /// Runs the end-of-turn work and the posted tasks and writes the answers, then the end-of-turn syncs and
    /// writes the answers they release (``LoopMailbox/finishTurn(perform:flush:)``).
    private func finishTurn() {
        mailbox.finishTurn(perform: { tasks in for task in tasks { run(task) } }, flush: flushDirty)
    }

    private func run(_ task: LoopTask) {
        switch task {
        case .respond(let c, let seq, let response): complete(c, sequence: seq, response: response)
        case .startStream(let c, let seq, let status, let headers):
            startStream(c, sequence: seq, status: status, headers: headers)
        case .streamWrite(let c, let seq, let bytes):
            c.queuedWriteRan()
            streamWrite(c, sequence: seq, bytes: bytes)
        case .streamResume(let c, let seq, let framed, let bodyBytes):
            c.queuedWriteRan()
            streamResume(c, sequence: seq, framed: framed, bodyBytes: bodyBytes)
        case .answered(let c, let seq, let rest): answeredDirectly(c, sequence: seq, rest: rest)
        case .streamFinish(let c, let seq): streamFinish(c, sequence: seq)
        case .onClose(let c, let seq, let callback):
            if c.activeSequence == seq, !c.closed.load(ordering: .relaxed) {
                c.closeCallbacks.append(callback)
            } else {
                callback()
            }
        case .whenDrained(let c, let seq, let threshold, let callback):
            watchDrain(c, sequence: seq, threshold: threshold, callback)
        case .closeIdleConnection: _ = closeLongestIdleConnection()
        case .beginShutdown: beginShutdown()
        case .stop: running = false
        }
    }

    // MARK: The loop

    /// Runs until a `.stop` task; then closes every connection.
    func run() {
        mailbox.bindToCurrentThread()
        defer { mailbox.unbindFromCurrentThread() }
        let clock = context.clock
        now = clock.nanoseconds()
        let tick = context.configuration.sweepInterval
        nextSweep = now + tick
        let timeoutMs = Int32(max(1, tick / 1_000_000))
        while running {
            // EINTR is retried inside; any other error means our own epoll descriptor is wrong (it traps).
            let timeout = mailbox.pollTimeout(timeoutMs)
            let n = (try? syscall("epoll_wait") { epoll_wait(epollFD, events, maxEvents, timeout) }) ?? 0
            now = clock.nanoseconds()
            if n > 0 {
                for i in 0..<Int(n) {
                    let event = events[i]
                    let fd = event.data.fd
                    if fd == listenFD {
                        acceptConnections()
                    } else if fd == mailbox.wakeFD {
                        mailbox.acknowledgeWake()
                    } else if fd >= 0, fd < connections.count, let connection = connections[Int(fd)] {
                        handleEvent(connection, events: event.events)
                    }
                }
            }
            finishTurn()
            if !heldThisTurn.isEmpty { openHeldBypasses() }
            if now >= nextSweep {
                sweep()
                nextSweep = now + tick
            }
            if acceptPause.isOver(now: now) { resumeAccepting() }
        }
        // Syncs appends made by the last turn's tasks, then runs what closing the connections defers (woken
        // long-polls cancelled by the close release what they hold); the answers go nowhere.
        mailbox.endOfTurn.runPending()
        for case let connection? in connections { close(connection) }
        mailbox.endOfTurn.runPending()
        if listenFD >= 0 {
            Glibc.close(listenFD)
            listenFD = -1
        }
    }

    private func handleEvent(_ connection: Connection, events: UInt32) {
        if events & UInt32(CFERRY_EPOLLERR | CFERRY_EPOLLHUP) != 0 {
            close(connection)
            return
        }
        if events & UInt32(CFERRY_EPOLLOUT) != 0 {
            flush(connection)
            if case .closed = connection.state { return }
        }
        if events & UInt32(CFERRY_EPOLLIN) != 0 {
            readAvailable(connection)
        } else if events & UInt32(CFERRY_EPOLLRDHUP) != 0 {
            // Peer shut down while we were not reading (pipelined input over the limit): it is gone.
            close(connection)
        }
    }

    /// Marks a connection for the end-of-turn flush.
    @inline(__always)
    func markDirty(_ connection: Connection) {
        if !connection.isDirty {
            connection.isDirty = true
            dirty.append(connection)
        }
    }

    /// Opens a ``SocketBypass`` for each request held this turn that is still unanswered, with nothing queued.
    private func openHeldBypasses() {
        for connection in heldThisTurn where connection.isHeld && connection.output.isEmpty && !connection.bypassOpen {
            openBypass(connection)
        }
        heldThisTurn.removeAll(keepingCapacity: true)
    }

    private func flushDirty() {
        var index = 0
        while index < dirty.count {
            let connection = dirty[index]
            connection.isDirty = false
            flush(connection)
            index += 1
        }
        dirty.removeAll(keepingCapacity: true)
    }
}
