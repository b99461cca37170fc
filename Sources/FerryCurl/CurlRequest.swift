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
    /// The largest response body accepted; a larger one fails with ``CurlError/responseTooLarge(limit:)``,
    /// unless ``discardBodyBeyondLimit`` is set.
    public var maxResponseBytes: Int
    /// When true, a response body larger than ``maxResponseBytes`` is not an error: the transfer stops reading
    /// at the limit (the connection is closed, not reused) and the response keeps its status and headers, with
    /// the first `maxResponseBytes` bytes as body and ``CurlResponse/bodyTruncated`` set. For callers that only
    /// need the status (webhook delivery).
    public var discardBodyBeyondLimit: Bool
    /// `CURLOPT_RESOLVE` entries, `"host:port:address[,address…]"`: the transfer connects to exactly these
    /// addresses for `host:port` instead of resolving it (the caller pins an address it has checked).
    /// Note: libcurl keeps such entries in the DNS cache of the handle (or of the multi handle driving it).
    public var resolve: [String]
    /// When false, proxies named by the environment (`http_proxy`, `https_proxy`, `all_proxy`) are ignored and
    /// the transfer connects directly (webhook delivery must reach exactly the checked address).
    public var useEnvironmentProxy: Bool

    public init(
        method: String = "GET",
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        timeout: Duration = .seconds(30),
        maxResponseBytes: Int = 64 << 20,
        discardBodyBeyondLimit: Bool = false,
        resolve: [String] = [],
        useEnvironmentProxy: Bool = true
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.discardBodyBeyondLimit = discardBodyBeyondLimit
        self.resolve = resolve
        self.useEnvironmentProxy = useEnvironmentProxy
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
    /// True when the body was cut at the request's `maxResponseBytes` (only with
    /// ``CurlRequest/discardBodyBeyondLimit``).
    public var bodyTruncated: Bool

    public init(
        status: Int, headers: [(name: String, value: String)], body: [UInt8], totalTime: Duration,
        reusedConnection: Bool, bodyTruncated: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.totalTime = totalTime
        self.reusedConnection = reusedConnection
        self.bodyTruncated = bodyTruncated
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
