import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Settings of the Kafka-protocol listener.
public struct KafkaListenerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (see ``KafkaListener/port``).
    public var port: Int
    public var loopCount: Int
    /// The largest request frame accepted (Kafka's `socket.request.max.bytes`); a larger one closes the
    /// connection.
    public var maxFrameBytes: Int
    /// Requests of one connection read ahead of their answers; past it, reading pauses.
    public var maxInFlightPerConnection: Int
    /// Answers queued for a slow reader past which reading its requests pauses.
    public var maxOutputBytes: Int
    public var maxConnections: Int
    /// Connections with nothing in flight are closed after this long (Kafka's `connections.max.idle.ms`).
    public var idleTimeoutMilliseconds: Int

    public init(
        host: String = "127.0.0.1", port: Int = 9092, loopCount: Int = 1, maxFrameBytes: Int = 100 * 1024 * 1024,
        maxInFlightPerConnection: Int = 64, maxOutputBytes: Int = 64 * 1024 * 1024, maxConnections: Int = 10_000,
        idleTimeoutMilliseconds: Int = 600_000
    ) {
        self.host = host
        self.port = port
        self.loopCount = loopCount
        self.maxFrameBytes = maxFrameBytes
        self.maxInFlightPerConnection = maxInFlightPerConnection
        self.maxOutputBytes = maxOutputBytes
        self.maxConnections = maxConnections
        self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
    }
}

/// Ferry's Kafka-protocol door: TCP listeners on epoll loop threads that cut the byte stream into frames and
/// hand them to a ``KafkaRequestHandling``.
///
/// ``start()`` binds and starts the threads; ``stop()`` closes every connection and joins them. Thread-safe.
public final class KafkaListener: Sendable {
    public let configuration: KafkaListenerConfiguration
    public let counters = KafkaListenerCounters()
    private let handler: any KafkaRequestHandling
    private let logger: Logger
    private struct Running: @unchecked Sendable {
        var loops: [KafkaEventLoop] = []
        var threads: [SystemThread] = []
        var port = 0
    }
    private let running = Mutex(Running())

    public init(configuration: KafkaListenerConfiguration, handler: any KafkaRequestHandling, logger: Logger) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
    }

    /// The bound port (after ``start()``).
    public var port: Int { running.withLock { $0.port } }

    /// Binds `host:port` once per loop (`SO_REUSEPORT`) and starts the loop threads. Also raises `RLIMIT_NOFILE`
    /// to its hard limit first, as the HTTP server does, so the loops' descriptor ceiling is taken from the raised
    /// limit whichever door starts first.
    public func start() throws(ListenError) {
        signal(SIGPIPE, SIG_IGN)
        ListeningSocket.raiseDescriptorLimit()
        try ListeningSocket.requireFree(host: configuration.host, port: configuration.port)
        var port = configuration.port
        var listeners: [Int32] = []
        do {
            for _ in 0..<max(1, configuration.loopCount) {
                let (fd, bound) = try ListeningSocket.make(host: configuration.host, port: port, backlog: 1024)
                listeners.append(fd)
                port = bound
            }
        } catch {
            for fd in listeners { Glibc.close(fd) }
            throw error
        }
        var loops: [KafkaEventLoop] = []
        for (index, fd) in listeners.enumerated() {
            do {
                loops.append(
                    try KafkaEventLoop(
                        index: index, configuration: configuration, handler: handler, logger: logger, listenFD: fd,
                        counters: counters))
            } catch {
                for fd in listeners[index...] { Glibc.close(fd) }
                for loop in loops { Glibc.close(loop.listenFD) }
                throw .system(error)
            }
        }
        let threads = loops.map { loop in SystemThread(name: "ferry-kafka-\(loop.index)") { loop.run() } }
        running.withLock { state in
            state.loops = loops
            state.threads = threads
            state.port = port
        }
    }

    /// Closes the listening sockets and every connection, and waits for the loop threads to end.
    public func stop() {
        let (loops, threads) = running.withLock { state in
            defer {
                state.loops = []
                state.threads = []
            }
            return (state.loops, state.threads)
        }
        for loop in loops { loop.post(.stop) }
        for thread in threads { thread.join() }
    }
}
