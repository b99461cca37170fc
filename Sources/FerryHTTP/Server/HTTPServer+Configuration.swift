import FerrySystem
import Logging

extension HTTPServer {
    /// Server settings. Every limit and timeout has a default suitable for production; tests shrink them.
    public struct Configuration: Sendable {
        /// IPv4 address to bind (`127.0.0.1`, `0.0.0.0`; `localhost` means `127.0.0.1`).
        public var host: String = "127.0.0.1"
        /// TCP port; 0 picks a free one (read it from ``HTTPServer/boundPort``).
        public var port: Int = 8080
        /// Event-loop threads, each with its own `SO_REUSEPORT` listener. Defaults to the number of cores.
        public var loopCount: Int = HTTPServer.Configuration.defaultLoopCount
        /// Request line (method, target, version) limit → 414 `uri-too-long`.
        public var maxRequestLineBytes: Int = 8192
        /// Header block limit (bytes after the request line; also bounds chunked trailers) → 431.
        public var maxHeaderBytes: Int = 32768
        /// Header field count limit → 431.
        public var maxHeaderCount: Int = 100
        /// Body limit, checked against `Content-Length` before reading and while decoding chunks → 413.
        public var maxBodyBytes: Int = 64 << 20
        /// Open connections over this get 503 `unavailable` and are closed.
        public var maxConnections: Int = 10_000
        /// Time allowed to send a complete request head, from its first byte (or from accept) → disconnect.
        public var headerTimeout: Duration = .seconds(10)
        /// Time a keep-alive connection may sit idle between requests → disconnect.
        public var idleTimeout: Duration = .seconds(60)
        /// Time allowed to send a whole request body once its head arrived → disconnect.
        public var bodyTimeout: Duration = .seconds(60)
        /// Upper bound on the lingering close after a final response (input is discarded meanwhile).
        public var lingerTimeout: Duration = .seconds(2)
        /// Most bytes buffered for a client on a streamed response before it is disconnected.
        public var maxStreamBufferBytes: Int = 4 << 20
        /// `listen(2)` backlog.
        public var backlog: Int32 = 4096
        /// Level of the per-request access log line (logged only when the logger's level allows it).
        public var accessLogLevel: Logger.Level = .debug
        /// Where the event loops read time for every timeout above (and request durations, the accept back-off,
        /// the `Date` cache's refresh): the monotonic clock, or a manual one in tests. Read once per loop turn;
        /// deadlines are checked when it has moved a ``sweepInterval`` and the loop wakes at least that often in
        /// real time, so a test that advances a manual clock past a deadline sees the effect within one sweep.
        public var clock: MonotonicTimeSource = .system

        public init() {}

        public init(host: String = "127.0.0.1", port: Int = 8080) {
            self.host = host
            self.port = port
        }

        /// The online core count (at least 1).
        public static var defaultLoopCount: Int {
            max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        }

        /// How often loops check deadlines: a quarter of the shortest timeout, between 5 ms and 250 ms.
        var sweepInterval: UInt64 {
            let shortest = min(
                headerTimeout.nanoseconds, idleTimeout.nanoseconds, bodyTimeout.nanoseconds,
                lingerTimeout.nanoseconds)
            return min(max(shortest / 4, 5_000_000), 250_000_000)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
