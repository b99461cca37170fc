import FerrySystem
import Synchronization

/// One accepted socket and its HTTP/1.1 state.
///
/// Loop-confined: every stored property except ``closed`` and ``bypass`` is read and written only on its
/// ``EventLoop``'s thread. Other threads reach a connection only through ``HTTPResponder`` /
/// ``HTTPStreamWriter``, which post tasks to the loop, or write an answer or a stream's bytes to the socket
/// under ``bypass`` (``SocketBypass``). A connection object lives for one socket; it is never reused for
/// another descriptor.
final class Connection {
    typealias State = ConnectionStateMachine.State

    let fd: Int32
    let remote: HTTPRemoteAddress
    /// Strong on purpose: the loop's table drops the connection on close, which breaks the cycle, and a
    /// responder kept by the application after shutdown can still safely reach (a stopped) loop.
    let loop: EventLoop
    /// Set once the socket is closed; readable from any thread (responders check it).
    let closed = Atomic<Bool>(false)
    /// Direct writes from other threads of a held request's answer or a stream's bytes (``SocketBypass``); any
    /// thread, under its lock.
    let bypass = Mutex(SocketBypass())
    /// The loop's last knowledge of ``bypass``: true from its opening until the loop shuts it, runs a posted
    /// stream write (whose poster shut it) or accounts for a direct answer. It may be true when a writer has
    /// shut the bypass meanwhile, never false while it is open: the loop only reopens a bypass it knows shut,
    /// and claims the answer of a held request only when it may be open.
    var bypassOpen = false
    /// The last held request the loop opened the bypass for: one that may have been answered past the loop,
    /// which the loop must check (``claimAnswer(sequence:)``) before answering it itself.
    var answerBypassSequence: UInt64 = 0

    /// The connection's life (states, deadlines, keep-alive); the loop executes the actions it returns.
    var machine: ConnectionStateMachine
    var state: State { machine.state }
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
    /// The current request is HEAD (no body is written).
    var isHead = false
    var isHTTP10 = false
    var requestID: RequestID = .echoed("")
    /// Close callbacks registered by the handler of the current request.
    var closeCallbacks: [@Sendable () -> Void] = []

    /// Monotonic deadline (ns) of the current read phase, or 0 when none applies.
    var deadline: UInt64 { machine.deadline }
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

    /// A connection just accepted at `now` (its header timeout runs from there).
    init(
        fd: Int32, remote: HTTPRemoteAddress, loop: EventLoop, limits: HTTPParserLimits, timeouts: ConnectionTimeouts,
        now: UInt64
    ) {
        self.fd = fd
        self.remote = remote
        self.loop = loop
        self.headParser = HTTPHeadParser(limits: limits)
        self.machine = ConnectionStateMachine(timeouts: timeouts, now: now)
    }

    /// True when nothing is in progress: no partial request, no response owed, nothing to write.
    var isIdle: Bool { machine.isWaitingForRequest && input.isEmpty && output.isEmpty }

    /// The sequence of the request waiting for a response or streaming, if any.
    var activeSequence: UInt64? { machine.activeSequence }
}
