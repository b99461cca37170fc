/// One HTTP/1.1 request for ``CurlHTTPClient``. A plain value; `Sendable`.
public struct CurlRequest: Sendable {
    /// The method token, e.g. `GET`, `POST`, `PUT`, `DELETE`, `HEAD`.
    public var method: String
    /// An absolute `http://` or `https://` URL.
    public var url: String
    /// Request headers in order, sent as given (duplicates allowed). Names and values must not contain CR or LF.
    public var headers: [(name: String, value: String)]
    /// The request body; sent with `Content-Length` when non-empty or when the method is `POST`/`PUT`/`PATCH`.
    public var body: [UInt8]
    /// The limit for the whole transfer (connect + send + receive).
    public var timeout: Duration
    /// The largest response body accepted; a larger one fails with ``CurlError/responseTooLarge(limit:)``.
    public var maxResponseBytes: Int

    public init(
        method: String = "GET",
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        timeout: Duration = .seconds(30),
        maxResponseBytes: Int = 64 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }
}

/// A complete HTTP response. A plain value; `Sendable`.
public struct CurlResponse: Sendable {
    /// The status code of the final response (after any `100 Continue`).
    public var status: Int
    /// Response headers in order, as received (names keep their case; values trimmed).
    public var headers: [(name: String, value: String)]
    /// The response body (empty for ``CurlHTTPClient/stream(_:onData:)``, which hands it out in pieces).
    public var body: [UInt8]
    /// Total time of the transfer as measured by libcurl.
    public var totalTime: Duration
    /// True when the transfer used a connection that was already open (keep-alive reuse).
    public var reusedConnection: Bool

    public init(
        status: Int, headers: [(name: String, value: String)], body: [UInt8], totalTime: Duration,
        reusedConnection: Bool
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.totalTime = totalTime
        self.reusedConnection = reusedConnection
    }

    /// The value of the first header named `name` (ASCII case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The values of every header named `name` (ASCII case-insensitive), in order.
    public func headers(named name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The body decoded as UTF-8 (invalid bytes replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
