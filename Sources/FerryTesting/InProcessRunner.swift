import FerryHTTP

/// Runs requests through a `Router` in this process — its admission hook, then the matched route's handler,
/// or its 404/405 problem — with no socket, event loop or parser: a handler's answer goes into an
/// `HTTPResponseSink` instead of a connection. Handlers may answer at once, later from any thread (a long-poll
/// answered by a produce), or as a stream.
///
/// What differs from the socket path: no framing and no connection fields (`Content-Length`, `Date`,
/// `Connection`, chunking), no parse errors (the request is built, not parsed), no server limits or timeouts,
/// and no `HTTPServerObserver` (so no per-request HTTP metrics). Those are FerryHTTP's own tests' business.
///
/// A value type holding an immutable router: thread-safe.
public struct InProcessRunner: Sendable {
    public let router: Router

    public init(router: Router) {
        self.router = router
    }

    /// Starts one exchange: runs the admission hook and the handler synchronously on the calling thread (as a
    /// loop thread would: they must not block) and returns; the answer may come now or later.
    public func start(_ request: HTTPRequest) -> InProcessExchange {
        let exchange = InProcessExchange(request: request)
        router.handle(request, exchange.responder)
        return exchange
    }

    /// Sends `request` and waits, without holding a thread, for its complete answer (a fixed response, or a
    /// stream up to its end) as a client would see it (see ``InProcessExchange/response(timeout:)``).
    public func send(_ request: HTTPRequest, timeout: Duration = .seconds(30)) async throws -> HTTPResponse {
        try await start(request).response(timeout: timeout)
    }

    /// Builds the request (`target` is parsed like the server parses it) and sends it.
    public func send(
        _ method: HTTPMethod, _ target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
        timeout: Duration = .seconds(30)
    ) async throws -> HTTPResponse {
        try await send(HTTPRequest(method: method, target: target, headers: headers, body: body), timeout: timeout)
    }
}
