/// A complete request as the server hands it to a handler: head, whole body, and routing results.
///
/// Value type, `Sendable`: a handler may pass it to any thread. The body is fully read before the handler runs
/// (bounded by ``HTTPServer/Configuration/maxBodyBytes``).
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var version: HTTPVersion
    /// The request target exactly as sent (e.g. `/v1/topics/a%20b/messages?offset=3`).
    public var target: String
    /// The path part of the target, percent-decoded (`/v1/topics/a b/messages`). `%2F` decodes to `/`; the
    /// router matches on ``pathSegments`` instead, which keeps an encoded slash inside its segment.
    public var path: String
    /// The path split at `/` (raw) and each segment percent-decoded; the leading empty segment is dropped.
    public var pathSegments: [String]
    /// The query string without `?`, raw (not decoded); empty when absent.
    public var rawQuery: Substring
    /// Query items in order, percent-decoded, `+` read as a space; repeated keys are all kept.
    public var queryItems: [(name: String, value: String)]
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Parameters captured by the route pattern (`{topic}` → `"topic"`), in pattern order.
    public var pathParameters: [(name: String, value: String)]
    /// The peer's address (`127.0.0.1:54321`).
    public var remoteAddress: HTTPRemoteAddress
    var requestIDStorage: RequestID

    /// The first value of query item `name`, or nil.
    public func query(_ name: String) -> String? {
        for item in queryItems where item.name == name { return item.value }
        return nil
    }

    /// The value of path parameter `name` (`{name}` in the route pattern), or nil.
    public func pathParameter(_ name: String) -> String? {
        for parameter in pathParameters where parameter.name == name { return parameter.value }
        return nil
    }

    /// The request id: the client's `X-Request-Id` (when it is 1…200 visible ASCII characters) or a new id,
    /// unique within this process run. It is echoed in the response's `X-Request-Id`.
    public var requestID: String { requestIDStorage.string }

    /// True when the client asked to keep the connection open (HTTP/1.1 default; HTTP/1.0 with keep-alive).
    public var keepAlive: Bool {
        if version == .http1_1 { return !headers.containsToken("close", in: "Connection") }
        return headers.containsToken("keep-alive", in: "Connection")
    }

    /// Creates a request directly (for in-process tests of handlers); `target` is parsed like the server does.
    public init(
        method: HTTPMethod, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], remoteAddress: HTTPRemoteAddress = HTTPRemoteAddress(ipv4: 0x7F00_0001, port: 0)
    ) {
        self.method = method
        self.version = version
        self.target = target
        let parts =
            (try? RequestTarget.parse(target))
            ?? RequestTarget(path: target, segments: [], rawQuery: "", queryItems: [])
        self.path = parts.path
        self.pathSegments = parts.segments
        self.rawQuery = parts.rawQuery
        self.queryItems = parts.queryItems
        self.headers = headers
        self.body = body
        self.pathParameters = []
        self.remoteAddress = remoteAddress
        if let id = headers["X-Request-Id"], RequestID.isAcceptable(id) {
            self.requestIDStorage = .echoed(id)
        } else {
            self.requestIDStorage = RequestID.generateStandalone()
        }
    }

    init(head: HTTPRequestHead, body: [UInt8], remoteAddress: HTTPRemoteAddress, requestID: RequestID) {
        self.method = head.method
        self.version = head.version
        self.target = head.target
        self.path = head.parsedTarget.path
        self.pathSegments = head.parsedTarget.segments
        self.rawQuery = head.parsedTarget.rawQuery
        self.queryItems = head.parsedTarget.queryItems
        self.headers = head.headers
        self.body = body
        self.pathParameters = []
        self.remoteAddress = remoteAddress
        self.requestIDStorage = requestID
    }
}

/// An IPv4 peer address and port (the server binds IPv4 only).
public struct HTTPRemoteAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address in host byte order (`127.0.0.1` is `0x7F000001`).
    public var ipv4: UInt32
    public var port: UInt16

    public init(ipv4: UInt32, port: UInt16) {
        self.ipv4 = ipv4
        self.port = port
    }

    public var host: String { "\(ipv4 >> 24).\((ipv4 >> 16) & 0xFF).\((ipv4 >> 8) & 0xFF).\(ipv4 & 0xFF)" }
    public var description: String { "\(host):\(port)" }
}
