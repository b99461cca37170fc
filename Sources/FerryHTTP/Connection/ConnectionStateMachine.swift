/// The timeouts of one connection, in nanoseconds of the server's ``MonotonicTimeSource``.
struct ConnectionTimeouts: Sendable, Equatable {
    /// From accept, or from a request head's first byte, to its end.
    var header: UInt64
    /// Between requests on a keep-alive connection; also how long queued output may make no progress, and how
    /// long a final response may take to write before the connection is dropped.
    var idle: UInt64
    /// From a head to the end of its body.
    var body: UInt64
    /// Upper bound of the lingering close (never longer than `idle`).
    var linger: UInt64
}

/// The life of one HTTP/1.1 connection as a value: events in (bytes read, request parsed, response queued,
/// output drained, peer closed, a timer tick at time `now`, shutdown), actions out (parse, buffer, discard,
/// linger, close with a reason). It performs no I/O and reads no clock, so a test drives it with a manual clock.
///
/// The event loop owns one per ``Connection`` (loop-confined, like the connection) and executes the actions:
/// the sockets, the parser and the output queue stay with the loop. Invariants:
/// - at most one request is with the handler at a time (`awaitingResponse`/`streaming`); bytes that arrive
///   meanwhile are buffered, so pipelined responses are written in request order;
/// - `deadline` is nonzero exactly in the states that read (`readingHead`, `readingBody`) or wind down
///   (`closing`, `lingering`), and zero while the handler has the request;
/// - `closed` is final.
struct ConnectionStateMachine {
    enum State: Equatable {
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

    /// Why a connection is closed.
    enum CloseReason: Equatable, CustomStringConvertible {
        /// No complete head within the header timeout (slowloris, or a silent connection).
        case headerTimeout
        /// A keep-alive connection idle for the idle timeout.
        case idleTimeout
        /// No complete body within the body timeout.
        case bodyTimeout
        /// The final response could not be written within the idle timeout.
        case closingTimeout
        /// The lingering close ran out.
        case lingerTimeout
        /// Queued output made no progress for the idle timeout (the client stopped reading).
        case writeStalled
        /// The client closed and nothing is left to write to it.
        case peerClosed
        /// The server is shutting down and the connection had nothing in progress.
        case shutdown

        var description: String {
            switch self {
            case .headerTimeout: "header timeout"
            case .idleTimeout: "idle timeout"
            case .bodyTimeout: "body timeout"
            case .closingTimeout: "closing timeout"
            case .lingerTimeout: "linger timeout"
            case .writeStalled: "write stalled"
            case .peerClosed: "peer closed"
            case .shutdown: "shutdown"
            }
        }

        /// A timer (not the peer or the server) ended the connection.
        var isTimeout: Bool {
            switch self {
            case .headerTimeout, .idleTimeout, .bodyTimeout, .closingTimeout, .lingerTimeout: true
            case .writeStalled, .peerClosed, .shutdown: false
            }
        }
    }

    /// What to do with bytes just read.
    enum ReadAction: Equatable {
        /// Feed them to the parser.
        case parse
        /// Keep them unparsed: a request is with the handler (its successors wait, responses stay in order).
        case buffer
        /// Drop them: the connection is closing.
        case discard
    }

    /// What to do once a request is answered.
    enum AfterResponse: Equatable {
        /// Keep the connection: parse what is buffered (a pipelined request) or wait for the next one.
        case readNext
        /// Drop buffered input; close once the response is written.
        case closeAfterWrite
    }

    /// What to do when the queued output is fully written.
    enum DrainAction: Equatable {
        case none
        /// Shut our side down for writing and read until EOF or ``deadline`` (the final response is out).
        case startLingering
        case close(CloseReason)
    }

    /// What to do on the peer's EOF.
    enum PeerClosedAction: Equatable {
        /// Stop reading; finish writing the answered responses, then close.
        case finishWriting
        case close(CloseReason)
    }

    /// What to do when the server begins to shut down.
    enum ShutdownAction: Equatable {
        case none
        /// Write what is queued (no more requests are read), then close.
        case closeAfterWrite
        case close(CloseReason)
    }

    let timeouts: ConnectionTimeouts
    private(set) var state: State
    /// Monotonic deadline (ns) of the current read or wind-down phase, or 0 when none applies.
    private(set) var deadline: UInt64
    /// When queued output last made progress (or was first blocked).
    private(set) var lastWriteProgress: UInt64 = 0
    /// Keep the connection open after the current response.
    private(set) var keepAlive = true
    /// The client sent EOF while answered responses were still being written; close once they are.
    private(set) var peerClosed = false

    /// A connection just accepted: the header timeout runs from now (a client that connects and sends nothing
    /// is a slowloris too).
    init(timeouts: ConnectionTimeouts, now: UInt64) {
        self.timeouts = timeouts
        self.state = .readingHead(started: true)
        self.deadline = now + timeouts.header
    }

    /// True when nothing is in progress on our side (no partial head, no response owed). The loop also checks
    /// that no input is buffered and no output queued.
    var isWaitingForRequest: Bool { state == .readingHead(started: false) }

    /// The sequence of the request waiting for a response or streaming, if any.
    var activeSequence: UInt64? {
        switch state {
        case .awaitingResponse(let s), .streaming(let s): s
        default: nil
        }
    }

    /// The connection is closed or will close without reading another request.
    var isWindingDown: Bool {
        switch state {
        case .closed, .closing, .lingering: true
        default: false
        }
    }

    // MARK: Reading

    /// Bytes arrived. The first byte of a request head starts the header timeout.
    mutating func bytesReceived(now: UInt64) -> ReadAction {
        switch state {
        case .lingering, .closing, .closed:
            return .discard
        case .readingHead(started: false):
            state = .readingHead(started: true)
            deadline = now + timeouts.header
            return .parse
        case .readingHead(started: true), .readingBody:
            return .parse
        case .awaitingResponse, .streaming:
            return .buffer
        }
    }

    /// Part of a next request head is buffered while idle: the header timeout (not the idle one) now applies.
    mutating func partialHeadBuffered(now: UInt64) {
        if state == .readingHead(started: false) {
            state = .readingHead(started: true)
            deadline = now + timeouts.header
        }
    }

    /// A head was parsed whose body is not all here yet: the body timeout runs from now.
    mutating func bodyStarted(now: UInt64) {
        if case .readingHead = state {} else { assertionFailure("a body starts after a head, not in \(state)") }
        state = .readingBody
        deadline = now + timeouts.body
    }

    /// A complete request goes to the handler. `keepAlive`: the request allows keeping the connection (and the
    /// server is not shutting down).
    mutating func requestParsed(sequence: UInt64, keepAlive: Bool) {
        state = .awaitingResponse(sequence)
        deadline = 0
        self.keepAlive = keepAlive
    }

    /// The request could not be parsed: its error response is the last one.
    mutating func requestFailed() {
        keepAlive = false
    }

    /// True when request `sequence` is waiting for its (first) response.
    func isAwaiting(_ sequence: UInt64) -> Bool { state == .awaitingResponse(sequence) }

    /// True when request `sequence` is streaming its response.
    func isStreaming(_ sequence: UInt64) -> Bool { state == .streaming(sequence) }

    // MARK: Responding

    /// A streamed response begins for `sequence`. `closeDelimited`: its body ends with the connection
    /// (HTTP/1.0), so the connection cannot be kept.
    mutating func streamStarted(sequence: UInt64, closeDelimited: Bool) {
        if closeDelimited { keepAlive = false }
        state = .streaming(sequence)
    }

    /// The current request's response (fixed, or a stream's end) is queued. `inputBuffered`: bytes of a next
    /// request are waiting. The idle timeout runs from now, or the header timeout if a next head has begun.
    mutating func responseCompleted(inputBuffered: Bool, shuttingDown: Bool, now: UInt64) -> AfterResponse {
        if keepAlive && !shuttingDown {
            state = .readingHead(started: inputBuffered)
            deadline = now + (inputBuffered ? timeouts.header : timeouts.idle)
            return .readNext
        }
        state = .closing
        deadline = now + timeouts.idle
        return .closeAfterWrite
    }

    // MARK: Writing

    /// Some queued output was written.
    mutating func outputProgressed(now: UInt64) {
        lastWriteProgress = now
    }

    /// The socket is full with output queued (write interest armed): the write-stall clock starts.
    mutating func outputBlocked(now: UInt64) {
        lastWriteProgress = now
    }

    /// Everything queued is written.
    mutating func outputDrained(now: UInt64) -> DrainAction {
        if peerClosed { return .close(.peerClosed) }
        guard state == .closing else { return .none }
        state = .lingering
        deadline = now + min(timeouts.linger, timeouts.idle)
        return .startLingering
    }

    // MARK: The peer, timers, shutdown

    /// The client sent EOF. With answered responses still being written it only half-closed: finish writing,
    /// then close. Otherwise (idle, mid-request, or a request still held) it is gone.
    mutating func peerClosedInput(outputPending: Bool) -> PeerClosedAction {
        guard outputPending, activeSequence == nil else { return .close(.peerClosed) }
        peerClosed = true
        keepAlive = false
        switch state {
        case .readingHead, .readingBody: state = .closing
        default: break
        }
        return .finishWriting
    }

    /// The loop's periodic check at time `now`: a read or wind-down phase past its deadline, or queued output
    /// that made no progress for the idle timeout, closes the connection.
    func tick(now: UInt64, outputPending: Bool) -> CloseReason? {
        if deadline != 0 && now >= deadline {
            switch state {
            case .readingHead(started: false): return .idleTimeout
            case .readingHead(started: true): return .headerTimeout
            case .readingBody: return .bodyTimeout
            case .closing: return .closingTimeout
            case .lingering: return .lingerTimeout
            case .awaitingResponse, .streaming, .closed: break
            }
        }
        if outputPending && now &- lastWriteProgress >= timeouts.idle { return .writeStalled }
        return nil
    }

    /// The server begins to shut down: idle connections close, one with only output left closes after writing
    /// it, and one whose request is in progress closes after its response.
    mutating func beginShutdown(outputPending: Bool) -> ShutdownAction {
        switch state {
        case .readingHead:
            if !outputPending { return .close(.shutdown) }
            keepAlive = false
            state = .closing
            return .closeAfterWrite
        case .readingBody, .awaitingResponse, .streaming:
            keepAlive = false
            return .none
        case .closing, .lingering, .closed:
            return .none
        }
    }

    /// The socket is closed.
    mutating func closed() {
        state = .closed
    }
}
