import CFerryLinux
import FerryKafkaWire
import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One epoll thread of the Kafka-protocol listener: its own `SO_REUSEPORT` listening socket, wake-up `eventfd`,
/// connections and task queue, like the HTTP server's loops.
///
/// Everything except ``post(_:)`` runs on the loop thread. Frames are handed to the handler synchronously on
/// it (handlers must not block). Each turn: socket events, the end-of-turn work handlers left (the inline sync
/// of durable appends, woken fetches; see ``EndOfTurnQueue``), the answers posted since the last turn, then
/// every connection with output is flushed with one write.
final class KafkaEventLoop: @unchecked Sendable {
    /// Connections inside are touched only on this loop's thread (see ``KafkaConnection``).
    enum Task: @unchecked Sendable {
        case answer(KafkaConnection, UInt64, [[UInt8]]?)
        case close(KafkaConnection)
        case stop
    }

    let index: Int
    let configuration: KafkaListenerConfiguration
    let handler: any KafkaRequestHandling
    let logger: Logger
    let epollFD: Int32
    /// Answers from other threads (and from this loop's end-of-turn work), the wake-up `eventfd`, and the
    /// end-of-turn queue.
    let mailbox: LoopMailbox<Task>
    var listenFD: Int32
    let counters: KafkaListenerCounters

    var connections: [KafkaConnection?] = []
    var dirty: [KafkaConnection] = []
    var now: UInt64 = 0
    var running = true
    /// Accepting paused (out of descriptors, or into the reserve): 100 ms at a time.
    var acceptPause = AcceptPause(initialBackoff: 100_000_000, maxBackoff: 100_000_000)
    /// "Cannot accept" warnings of this loop: at most one a minute.
    let acceptWarnings = RateLimitedEvent(intervalNanoseconds: 60_000_000_000)
    /// See ``ListeningSocket/connectionDescriptorCeiling()``.
    let descriptorCeiling = ListeningSocket.connectionDescriptorCeiling()
    let readBufferSize = 64 * 1024
    let readBuffer: UnsafeMutableRawBufferPointer
    private let events: UnsafeMutablePointer<epoll_event>
    private let maxEvents: Int32 = 256

    init(
        index: Int, configuration: KafkaListenerConfiguration, handler: any KafkaRequestHandling, logger: Logger,
        listenFD: Int32, counters: KafkaListenerCounters
    ) throws(SystemError) {
        self.index = index
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.listenFD = listenFD
        self.counters = counters
        epollFD = try syscall("epoll_create1") { epoll_create1(Int32(CFERRY_SOCK_CLOEXEC)) }
        do {
            mailbox = try LoopMailbox()
        } catch {
            Glibc.close(epollFD)
            throw error
        }
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

    var isOnLoopThread: Bool { mailbox.isOnOwnerThread }

    func register(fd: Int32, events: UInt32) throws(SystemError) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        _ = try syscall("epoll_ctl") { epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) }
    }

    func updateInterest(_ connection: KafkaConnection) {
        var mask = UInt32(CFERRY_EPOLLRDHUP)
        if connection.readInterest { mask |= UInt32(CFERRY_EPOLLIN) }
        if connection.writeInterest { mask |= UInt32(CFERRY_EPOLLOUT) }
        var event = epoll_event()
        event.events = mask
        event.data.fd = connection.fd
        _ = try? syscall("epoll_ctl") { epoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, &event) }
    }

    /// Posts a task from any thread and wakes the loop.
    func post(_ task: Task) { mailbox.post(task) }

    /// Runs the end-of-turn work and the posted tasks and writes the answers, then the end-of-turn syncs and
    /// writes the answers they release (``LoopMailbox/finishTurn(perform:flush:)``).
    private func finishTurn() {
        mailbox.finishTurn(perform: { tasks in for task in tasks { run(task) } }, flush: flushDirty)
    }

    private func run(_ task: Task) {
        switch task {
        case .answer(let connection, let sequence, let frame): answer(connection, sequence: sequence, frame: frame)
        case .close(let connection): closeWhenFlushed(connection)
        case .stop: running = false
        }
    }

    /// Runs until a `.stop` task, then closes every connection and the listening socket.
    func run() {
        mailbox.bindToCurrentThread()
        defer { mailbox.unbindFromCurrentThread() }
        now = MonotonicClock.nanoseconds()
        var nextSweep = now + 1_000_000_000
        while running {
            let n =
                (try? syscall("epoll_wait") { epoll_wait(epollFD, events, maxEvents, mailbox.pollTimeout(1000)) }) ?? 0
            now = MonotonicClock.nanoseconds()
            for i in 0..<Int(max(0, n)) {
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
            finishTurn()
            if acceptPause.isOver(now: now) { resumeAccepting() }
            if now >= nextSweep {
                closeIdleConnections()
                nextSweep = now + 1_000_000_000
            }
        }
        mailbox.endOfTurn.runPending()  // syncs the last turn's appends (their answers go nowhere)
        for case let connection? in connections { close(connection) }
        mailbox.endOfTurn.runPending()  // what closing the connections deferred (cancelled long-poll fetches)
        if listenFD >= 0 {
            Glibc.close(listenFD)
            listenFD = -1
        }
    }

    private func handleEvent(_ connection: KafkaConnection, events: UInt32) {
        if events & UInt32(CFERRY_EPOLLERR | CFERRY_EPOLLHUP) != 0 {
            close(connection)
            return
        }
        if events & UInt32(CFERRY_EPOLLOUT) != 0 {
            flush(connection)
            if connection.closed.load(ordering: .relaxed) { return }
        }
        if events & UInt32(CFERRY_EPOLLIN) != 0 {
            readAvailable(connection)
        } else if events & UInt32(CFERRY_EPOLLRDHUP) != 0 {
            close(connection)
        }
    }

    func markDirty(_ connection: KafkaConnection) {
        if !connection.isDirty {
            connection.isDirty = true
            dirty.append(connection)
        }
    }

    private func flushDirty() {
        for connection in dirty {
            connection.isDirty = false
            flush(connection)
        }
        dirty.removeAll(keepingCapacity: true)
    }

    /// Connections idle (nothing in flight, nothing to write) longer than the idle timeout are closed, as
    /// Kafka's `connections.max.idle.ms` does.
    private func closeIdleConnections() {
        let limit = UInt64(configuration.idleTimeoutMilliseconds) * 1_000_000
        for case let connection? in connections
        where connection.inFlight == 0 && connection.output.isEmpty && now &- connection.lastActivity > limit {
            close(connection)
        }
    }
}
