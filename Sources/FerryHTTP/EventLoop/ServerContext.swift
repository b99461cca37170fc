import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// State shared by a server's loops: immutable settings plus atomic counters. Thread-safe.
final class ServerContext: Sendable {
    let configuration: HTTPServer.Configuration
    let limits: HTTPParserLimits
    let handler: HTTPHandler
    let logger: Logger
    /// Whether the access log is enabled (checked before formatting anything).
    let accessLogEnabled: Bool
    /// Watches answered requests (metrics); nil when nobody does.
    let observer: (any HTTPServerObserver)?
    /// Whether per-request method, route and start time are recorded (access log or observer).
    let tracksRequests: Bool
    let openConnections = Atomic<Int>(0)
    /// An accepted connection whose descriptor number reaches this is refused (503) and accepting pauses as if
    /// the process were out of descriptors: the rest is the reserve (``ListeningSocket/descriptorReserve(forLimit:)``).
    /// Set by `HTTPServer.start()` from the descriptor limit.
    let descriptorCeiling = Atomic<Int>(Int.max)
    /// The server's loops (set once by `HTTPServer.start()`), so that a loop over the connection limit can ask
    /// another to give up an idle keep-alive connection. Weak: the loops hold this context.
    let loops = Mutex<[WeakLoop]>([])
    let heldRequests = Atomic<Int>(0)
    /// "Cannot accept" warnings: at most one a minute, server-wide.
    let acceptWarnings = RateLimitedEvent(intervalNanoseconds: 60_000_000_000)
    /// A "cannot accept" warning was logged and no loop has accepted since (the first that does says so).
    let acceptWarningOpen = Atomic<Bool>(false)
    let shuttingDown = Atomic<Bool>(false)
    /// Timeouts in nanoseconds (precomputed: the hot path reads them per request).
    let timeouts: ConnectionTimeouts
    /// Where the loops read time (once per turn, and per request for durations when tracked).
    let clock: MonotonicTimeSource
    /// The `Date` line for answers sent by threads other than the loops (``SocketBypass``).
    let sharedDate = Mutex(DateHeaderCache())

    init(
        configuration: HTTPServer.Configuration, handler: @escaping HTTPHandler, logger: Logger,
        observer: (any HTTPServerObserver)? = nil
    ) {
        self.configuration = configuration
        self.limits = HTTPParserLimits(
            maxRequestLineBytes: configuration.maxRequestLineBytes, maxHeaderBytes: configuration.maxHeaderBytes,
            maxHeaderCount: configuration.maxHeaderCount, maxBodyBytes: configuration.maxBodyBytes)
        self.handler = handler
        self.logger = logger
        self.accessLogEnabled = logger.logLevel <= configuration.accessLogLevel
        self.observer = observer
        self.tracksRequests = accessLogEnabled || observer != nil
        self.timeouts = ConnectionTimeouts(
            header: configuration.headerTimeout.nanoseconds, idle: configuration.idleTimeout.nanoseconds,
            body: configuration.bodyTimeout.nanoseconds, linger: configuration.lingerTimeout.nanoseconds)
        self.clock = configuration.clock
    }
}

/// A loop seen from the shared context, without keeping it alive.
struct WeakLoop: @unchecked Sendable {
    weak var loop: EventLoop?
}

/// Work posted to a loop from any thread. Carries connections, which are loop-confined: the loop alone
/// dereferences them, so sending the reference is safe.
enum LoopTask: @unchecked Sendable {
    case respond(Connection, UInt64, HTTPResponse)
    case startStream(Connection, UInt64, HTTPStatus, HTTPHeaders)
    case streamWrite(Connection, UInt64, [UInt8])
    /// The rest of a direct write (``SocketBypass``) the socket did not take whole: framed bytes, and the count
    /// of body bytes the write carried.
    case streamResume(Connection, UInt64, [[UInt8]], Int)
    /// A held request was answered past the loop (``SocketBypass``): what the socket did not take of it.
    case answered(Connection, UInt64, [[UInt8]])
    case streamFinish(Connection, UInt64)
    case onClose(Connection, UInt64, @Sendable () -> Void)
    case whenDrained(Connection, UInt64, Int, @Sendable () -> Void)
    /// Close the longest-idle keep-alive connection, if any (another loop admitted a connection for it).
    case closeIdleConnection
    case beginShutdown
    case stop
}

extension Duration {
    /// Whole nanoseconds, clamped to 0…100 years so that `now + nanoseconds` can never overflow.
    var nanoseconds: UInt64 {
        let (s, atto) = components
        let limit: Int64 = 100 * 365 * 86_400
        return UInt64(min(max(0, s), limit)) * 1_000_000_000 + UInt64(max(0, atto) / 1_000_000_000)
    }
}
