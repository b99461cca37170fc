import Synchronization

/// One accepted socket and its HTTP/1.1 state.
///
/// Loop-confined: every stored property except ``closed`` is read and written only on its ``EventLoop``'s thread.
/// Other threads reach a connection only through ``HTTPResponder`` / ``HTTPStreamWriter``, which post tasks to
/// the loop. A connection object lives for one socket; it is never reused for another descriptor.
final class Connection {
    enum State {
        /// Waiting for (more of) a request head. `started` is false while no byte of it has arrived (idle).
        case readingHead(started: Bool)
        /// Head parsed, reading its body.
        case readingBody
        /// The handler has the request; waiting for its response (sequence number of the request).
        case awaitingResponse(UInt64)
        /// A streamed (chunked) response is in progress.
        case streaming(UInt64)
        /// A final response was queued and the connection closes once it is written (reads are discarded).
        case closing
        /// Our side is shut down for writing; input is discarded until EOF or the linger deadline.
        case lingering
        case closed
    }

    let fd: Int32
    let remote: HTTPRemoteAddress
    /// Strong on purpose: the loop's table drops the connection on close, which breaks the cycle, and a
    /// responder kept by the application after shutdown can still safely reach (a stopped) loop.
    let loop: EventLoop
    /// Set once the socket is closed; readable from any thread (responders check it).
    let closed = Atomic<Bool>(false)

    var state: State = .readingHead(started: false)
    var headParser: HTTPHeadParser
    var bodyDecoder: HTTPBodyDecoder?
    var pendingHead: HTTPRequestHead?
    var body: [UInt8] = []
    /// Received bytes not yet consumed by the parser.
    var input: [UInt8] = []
    var output = OutputQueue()

    /// Sequence number of the latest dispatched request.
    var sequence: UInt64 = 0
    /// The sequence whose handler is running synchronously right now (0 when none).
    var inHandler: UInt64 = 0
    /// True while the current request is held by its handler past the synchronous call.
    var isHeld = false
    /// Keep the connection open after the current response.
    var keepAlive = true
    /// The current request is HEAD (no body is written).
    var isHead = false
    var isHTTP10 = false
    var requestID: RequestID = .echoed("")
    /// Close callbacks registered by the handler of the current request.
    var closeCallbacks: [@Sendable () -> Void] = []

    /// Monotonic deadline (ns) of the current read phase, or 0 when none applies.
    var deadline: UInt64 = 0
    /// Monotonic time (ns) when output last made progress while bytes were pending.
    var lastWriteProgress: UInt64 = 0
    /// The client sent EOF while answered responses were still being written; close once they are.
    var peerClosed = false
    var readInterest = true
    var writeInterest = false
    var isDirty = false

    // Access log and observer fields (only filled when the access log level is enabled or an observer is set).
    var logMethod: HTTPMethod = .GET
    var logPath = ""
    /// The matched route pattern (`/v1/topics/{topic}`), or "-" when no route matched.
    var logRoute = "-"
    /// The authenticated user's name (``HTTPResponder/noteRemoteUser(_:)``), or "-".
    var logUser = "-"
    var logBytesIn = 0
    /// ``Router/Route/index`` of the route handling the current request, or -1 (set by the router).
    var routeIndex = -1
    var logStart: UInt64 = 0
    var streamedBytes = 0
    /// The status of the stream in progress.
    var streamStatus: HTTPStatus = 200
    /// A stream's producer waiting for the output to drain to `threshold` bytes (see
    /// ``HTTPStreamWriter/whenDrained(below:_:)``); at most one.
    var drainWatch: (threshold: Int, callback: @Sendable () -> Void)?

    init(fd: Int32, remote: HTTPRemoteAddress, loop: EventLoop, limits: HTTPParserLimits) {
        self.fd = fd
        self.remote = remote
        self.loop = loop
        self.headParser = HTTPHeadParser(limits: limits)
    }

    /// True when nothing is in progress: no partial request, no response owed, nothing to write.
    var isIdle: Bool {
        if case .readingHead(let started) = state { return !started && input.isEmpty && output.isEmpty }
        return false
    }

    /// The sequence of the request waiting for a response or streaming, if any.
    var activeSequence: UInt64? {
        switch state {
        case .awaitingResponse(let s), .streaming(let s): s
        default: nil
        }
    }
}
