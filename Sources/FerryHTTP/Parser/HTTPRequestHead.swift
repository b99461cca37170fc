/// How a request's body is framed (RFC 9112 §6).
enum BodyFraming: Equatable, Sendable {
    case none
    case length(Int)
    case chunked
}

/// A parsed request line and header block, with framing decided and smuggling checks already applied.
struct HTTPRequestHead: Sendable {
    var method: HTTPMethod
    var version: HTTPVersion
    var target: String
    var parsedTarget: RequestTarget
    var headers: HTTPHeaders
    var framing: BodyFraming
    var keepAlive: Bool
    var expectContinue: Bool
}
