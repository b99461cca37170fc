/// A request passed on to the node that owns what it is about.
public struct ForwardedRequest: Sendable {
    public var method: String
    /// The owner's base URL plus the original target (path and query).
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Covers a long-poll's `wait_ms` plus the owner's own work.
    public var timeoutMilliseconds: Int

    public init(
        method: String, url: String, headers: [(name: String, value: String)], body: [UInt8], timeoutMilliseconds: Int
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

/// The owner's answer, relayed as it came.
public struct ForwardedResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Sends forwarded requests between the gateways of a cluster (in the server: libcurl's multi interface, shared
/// with webhook delivery). Implementations never block the caller.
public protocol RequestForwarder: Sendable {
    /// Sends `request`; `completion` is called exactly once, from any thread, with the answer or a reason it
    /// could not be had (connection refused, timeout, cancelled). Returns a handle for ``cancel(_:)``.
    @discardableResult
    func forward(
        _ request: ForwardedRequest,
        completion: @escaping @Sendable (Result<ForwardedResponse, ForwardingFailure>) -> Void
    ) -> UInt64
    /// Stops a transfer (the client went away); its completion still runs, with a failure.
    func cancel(_ id: UInt64)
}

/// Why a forwarded request got no answer.
public struct ForwardingFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
