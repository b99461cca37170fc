/// Watches a server's requests, e.g. to count them for metrics. FerryHTTP itself knows nothing of metrics.
///
/// Called synchronously on the loop thread that answered the request: implementations must not block and
/// should take no lock shared across loops (they run once per request on the hot path). Thread-safe by
/// contract: several loops call it concurrently.
public protocol HTTPServerObserver: Sendable {
    /// A request was answered: its fixed response was queued, its stream finished, or its stream was cut off
    /// by the connection closing (then `status` is the stream's status). Parse errors are reported too (with
    /// no route). Held requests whose connection closed before any response are not reported.
    func requestCompleted(_ completion: HTTPRequestCompletion)
}

/// One answered request, as reported to an ``HTTPServerObserver``.
public struct HTTPRequestCompletion: Sendable {
    /// The index in ``Router/routes`` of the route that handled the request (``Router/Route/index``), or nil
    /// when no route matched (404, 405, parse errors, or a handler that does not use a ``Router``).
    public var routeIndex: Int?
    /// The request method (`.other("-")` for a request that could not be parsed).
    public var method: HTTPMethod
    public var status: HTTPStatus
    /// Request body bytes (after de-chunking).
    public var requestBodyBytes: Int
    /// Response body bytes (for a stream: the bytes streamed).
    public var responseBodyBytes: Int
    /// From the complete request head to the response being queued (or the stream ending).
    public var durationNanoseconds: UInt64

    public init(
        routeIndex: Int?, method: HTTPMethod, status: HTTPStatus, requestBodyBytes: Int, responseBodyBytes: Int,
        durationNanoseconds: UInt64
    ) {
        self.routeIndex = routeIndex
        self.method = method
        self.status = status
        self.requestBodyBytes = requestBodyBytes
        self.responseBodyBytes = responseBodyBytes
        self.durationNanoseconds = durationNanoseconds
    }
}

/// Socket-level totals of a server since it started, summed over its loops.
public struct HTTPTrafficTotals: Sendable, Equatable {
    /// Bytes read from client sockets.
    public var bytesReceived: Int
    /// Bytes written to client sockets.
    public var bytesSent: Int
    /// Connections accepted (including those refused with 503 for being over the limit).
    public var connectionsAccepted: Int

    public init(bytesReceived: Int = 0, bytesSent: Int = 0, connectionsAccepted: Int = 0) {
        self.bytesReceived = bytesReceived
        self.bytesSent = bytesSent
        self.connectionsAccepted = connectionsAccepted
    }
}
