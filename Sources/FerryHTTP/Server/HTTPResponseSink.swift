import Dispatch
import Synchronization

/// The other end of an ``HTTPResponder`` that has no connection behind it: a handler run outside the server (an
/// in-process test, a tool) answers into a sink, which hands each part of the answer to its `deliver` closure.
///
/// It keeps the responder's contract the way a connection does: only the first response or stream counts (a
/// later ``HTTPResponder/respond(_:)`` returns false); ``HTTPResponder/onClose(_:)`` callbacks run if ``close()``
/// comes before the answer is complete (at once when registered after ``close()``), never after a normal answer;
/// ``HTTPStreamWriter/write(_:)`` returns false once closed; ``HTTPStreamWriter/whenDrained(below:_:)`` calls back
/// at once on a Dispatch thread, since nothing is buffered. The route and remote user the router and the
/// admission hook note are kept (``route``, ``remoteUser``). No framing happens here: no `Content-Length`,
/// `Date` or `X-Request-Id`, and a HEAD request's body is delivered as the handler gave it.
///
/// Thread-safe: its responder and stream writer may be used from any thread. `deliver` runs on the thread that
/// answered, with the sink's lock held, so parts arrive in the order they were made; it must not call back into
/// the sink, its responder or its writer. ``close()`` runs the close callbacks on its caller's thread.
public final class HTTPResponseSink: Sendable {
    /// One part of an answer, in the order a client would read it.
    public enum Part: Sendable {
        /// A fixed response (the whole answer).
        case response(HTTPResponse)
        /// A streamed response starts (``HTTPResponder/startStream(status:headers:)``).
        case streamHead(HTTPStatus, HTTPHeaders)
        /// The next bytes of a stream's body (never empty).
        case streamBody([UInt8])
        /// The stream finished (``HTTPStreamWriter/finish()``).
        case streamEnd
    }

    private enum Phase { case awaiting, streaming, answered }

    private struct State {
        var phase = Phase.awaiting
        var closed = false
        var closeCallbacks: [@Sendable () -> Void] = []
        var route: Router.Route?
        var remoteUser: String?
    }

    private let state = Mutex(State())
    private let deliver: @Sendable (Part) -> Void

    /// A sink that hands every part of the answer to `deliver` (see the type's notes on threads and the lock).
    public init(_ deliver: @escaping @Sendable (Part) -> Void) {
        self.deliver = deliver
    }

    /// A responder that answers into this sink (a fresh value each time; all of them share the sink).
    public var responder: HTTPResponder { HTTPResponder(sink: self) }

    /// The route the ``Router`` dispatched to, once it has; nil before, or when no route matched.
    public var route: Router.Route? { state.withLock { $0.route } }

    /// The name noted with ``HTTPResponder/noteRemoteUser(_:)`` (FerryAPI's admission notes the token's name).
    public var remoteUser: String? { state.withLock { $0.remoteUser } }

    /// True until ``close()``.
    public var isOpen: Bool { state.withLock { !$0.closed } }

    /// The client goes away: later answers are dropped, and the close callbacks of an unfinished answer run now,
    /// on this thread. Idempotent.
    public func close() {
        let callbacks = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.closed else { return [] }
            state.closed = true
            if state.phase == .streaming { state.phase = .answered }
            defer { state.closeCallbacks = [] }
            return state.closeCallbacks
        }
        for callback in callbacks { callback() }
    }

    // MARK: What the responder and writer call

    func respond(_ response: HTTPResponse) -> Bool {
        state.withLock { state in
            guard !state.closed, state.phase == .awaiting else { return false }
            state.phase = .answered
            state.closeCallbacks = []
            deliver(.response(response))
            return true
        }
    }

    func startStream(status: HTTPStatus, headers: HTTPHeaders) {
        state.withLock { state in
            guard !state.closed, state.phase == .awaiting else { return }
            state.phase = .streaming
            deliver(.streamHead(status, headers))
        }
    }

    func write(_ bytes: [UInt8]) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            if state.phase == .streaming && !bytes.isEmpty { deliver(.streamBody(bytes)) }
            return true
        }
    }

    func finish() {
        state.withLock { state in
            guard !state.closed, state.phase == .streaming else { return }
            state.phase = .answered
            state.closeCallbacks = []
            deliver(.streamEnd)
        }
    }

    func whenDrained(_ callback: @escaping @Sendable () -> Void) {
        DispatchQueue.global().async(execute: callback)
    }

    func onClose(_ callback: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.closed { return true }
            if state.phase != .answered { state.closeCallbacks.append(callback) }
            return false
        }
        if runNow { callback() }
    }

    func noteRoute(_ route: Router.Route) {
        state.withLock { $0.route = route }
    }

    func noteRemoteUser(_ name: String) {
        state.withLock { $0.remoteUser = name }
    }
}
