/// A response with a fixed body.
///
/// The server adds `Content-Length` (always, from `body.count`, even for HEAD), `X-Request-Id`, `Date` and
/// `Connection` when needed; a `Content-Length`, `Transfer-Encoding` or `Connection` field set here is ignored.
/// Value type; build it on any thread.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a UTF-8 text body (`text/plain; charset=utf-8` unless `contentType` says otherwise).
    public static func text(
        _ text: String, status: HTTPStatus = .ok, contentType: String = "text/plain; charset=utf-8"
    ) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// A response whose body is already-encoded JSON (`application/json; charset=utf-8`).
    public static func json(_ body: [UInt8], status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders())
        -> HTTPResponse
    {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/json; charset=utf-8")
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    /// A response whose body is already-encoded JSON text.
    public static func json(_ body: String, status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders())
        -> HTTPResponse
    {
        json(Array(body.utf8), status: status, headers: headers)
    }
}
