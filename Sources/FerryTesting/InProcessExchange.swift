import Dispatch
import FerryHTTP
import Synchronization

/// One request run in process (``InProcessRunner/start(_:)``) and its answer as it arrives: a fixed response,
/// or a stream's head and body parts. Tests read it when it is complete (``response(timeout:)``), or while it
/// streams (``wait(timeout:until:)``), and may end it as a client that goes away would (``close()``).
///
/// Thread-safe. Waiting never blocks a thread: a waiting task is resumed by the thread that answers (or by a
/// Dispatch timer at its timeout, a bound against hangs rather than a timed assertion).
public final class InProcessExchange: Sendable {
    /// The answer so far.
    public struct Snapshot: Sendable {
        /// Nil until the handler answers or starts a stream.
        public var status: HTTPStatus?
        public var headers = HTTPHeaders()
        /// The fixed body, or the stream's body so far.
        public var body: [UInt8] = []
        public var isStreamed = false
        /// A fixed response arrived, or the stream finished.
        public var isComplete = false
        /// ``InProcessExchange/close()`` was called.
        public var isClosed = false

        /// The body as UTF-8 text.
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Why waiting for an answer failed.
    public enum Failure: Error, Equatable {
        /// No answer (or not the awaited part of it) within the timeout.
        case timedOut(Duration)
        /// The exchange was closed before its answer was complete.
        case closedBeforeAnswer
    }

    public let request: HTTPRequest
    private let sink: HTTPResponseSink
    private let transcript: Transcript

    init(request: HTTPRequest) {
        self.request = request
        let transcript = Transcript()
        self.transcript = transcript
        sink = HTTPResponseSink { part in transcript.record(part) }
    }

    /// The responder the handler answers with.
    var responder: HTTPResponder { sink.responder }

    /// The answer so far.
    public var snapshot: Snapshot { transcript.snapshot }

    /// The route the router dispatched to (nil when none matched).
    public var route: Router.Route? { sink.route }

    /// The user the admission hook noted (FerryAPI notes the token's name), if any.
    public var remoteUser: String? { sink.remoteUser }

    /// Waits until `condition` holds on the answer so far, or the answer is complete, or the exchange is
    /// closed; returns the answer then (check it: the stream may have ended first). Throws
    /// ``Failure/timedOut(_:)`` after `timeout`.
    @discardableResult
    public func wait(timeout: Duration = .seconds(30), until condition: @escaping @Sendable (Snapshot) -> Bool)
        async throws -> Snapshot
    {
        try await transcript.wait(timeout: timeout) { $0.isComplete || $0.isClosed || condition($0) }
    }

    /// Waits for the complete answer and returns it as a client would read it: the stream's parts joined into
    /// one body, no body for a HEAD request, and the request id in `X-Request-Id` (as the server adds it).
    public func response(timeout: Duration = .seconds(30)) async throws -> HTTPResponse {
        let answer = try await wait(timeout: timeout) { $0.isComplete }
        guard answer.isComplete, let status = answer.status else { throw Failure.closedBeforeAnswer }
        var headers = answer.headers
        headers.replaceOrAdd(name: "X-Request-Id", value: request.requestID)
        return HTTPResponse(status: status, headers: headers, body: request.method == .HEAD ? [] : answer.body)
    }

    /// The client goes away: the handler's close callbacks run now, on this thread, and later answers are
    /// dropped. Idempotent.
    public func close() {
        sink.close()
        transcript.markClosed()
    }
}

/// The parts recorded so far and the tasks waiting on them.
private final class Transcript: Sendable {
    private struct Waiter {
        let condition: @Sendable (InProcessExchange.Snapshot) -> Bool
        let continuation: CheckedContinuation<InProcessExchange.Snapshot, any Error>
    }

    private struct State {
        var snapshot = InProcessExchange.Snapshot()
        var waiters: [Int: Waiter] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    var snapshot: InProcessExchange.Snapshot { state.withLock { $0.snapshot } }

    func record(_ part: HTTPResponseSink.Part) {
        update { snapshot in
            switch part {
            case .response(let response):
                snapshot.status = response.status
                snapshot.headers = response.headers
                snapshot.body = response.body
                snapshot.isComplete = true
            case .streamHead(let status, let headers):
                snapshot.status = status
                snapshot.headers = headers
                snapshot.isStreamed = true
            case .streamBody(let bytes):
                snapshot.body += bytes
            case .streamEnd:
                snapshot.isComplete = true
            }
        }
    }

    func markClosed() {
        update { $0.isClosed = true }
    }

    /// Applies `change`, then resumes (outside the lock) every waiter whose condition now holds.
    private func update(_ change: (inout InProcessExchange.Snapshot) -> Void) {
        let (ready, snapshot) = state.withLock { state -> ([Waiter], InProcessExchange.Snapshot) in
            change(&state.snapshot)
            let snapshot = state.snapshot
            let ready = state.waiters.filter { $0.value.condition(snapshot) }
            for id in ready.keys { state.waiters[id] = nil }
            return (Array(ready.values), snapshot)
        }
        for waiter in ready { waiter.continuation.resume(returning: snapshot) }
    }

    func wait(timeout: Duration, until condition: @escaping @Sendable (InProcessExchange.Snapshot) -> Bool)
        async throws -> InProcessExchange.Snapshot
    {
        try await withCheckedThrowingContinuation { continuation in
            let (waiting, current) = state.withLock { state -> (Int?, InProcessExchange.Snapshot) in
                if condition(state.snapshot) { return (nil, state.snapshot) }
                let id = state.nextWaiter
                state.nextWaiter += 1
                state.waiters[id] = Waiter(condition: condition, continuation: continuation)
                return (id, state.snapshot)
            }
            guard let id = waiting else {
                continuation.resume(returning: current)
                return
            }
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [self] in
                let expired = state.withLock { $0.waiters.removeValue(forKey: id) }
                expired?.continuation.resume(throwing: InProcessExchange.Failure.timedOut(timeout))
            }
        }
    }
}
