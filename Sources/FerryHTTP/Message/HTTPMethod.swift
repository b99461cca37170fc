/// An HTTP request method. The common methods are cases; anything else keeps its token in ``other(_:)``.
///
/// Methods are case-sensitive (RFC 9110 §9.1): `get` is not `GET` and arrives as `.other("get")`.
public enum HTTPMethod: Hashable, Sendable, CustomStringConvertible {
    case GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE, CONNECT
    /// A method token that is not one of the cases above (already validated as an RFC 9110 token).
    case other(String)

    /// Creates the method for a token as it appears on the request line.
    public init(_ token: String) {
        switch token {
        case "GET": self = .GET
        case "HEAD": self = .HEAD
        case "POST": self = .POST
        case "PUT": self = .PUT
        case "DELETE": self = .DELETE
        case "PATCH": self = .PATCH
        case "OPTIONS": self = .OPTIONS
        case "TRACE": self = .TRACE
        case "CONNECT": self = .CONNECT
        default: self = .other(token)
        }
    }

    /// Creates the method for the token bytes of a request line (already checked to be token characters):
    /// the standard methods are told apart by length and bytes, and only an unusual token becomes a string.
    init(token bytes: UnsafeBufferPointer<UInt8>) {
        let method: HTTPMethod? =
            switch bytes.count {
            case 3: Self.matches(bytes, "GET") ? .GET : Self.matches(bytes, "PUT") ? .PUT : nil
            case 4: Self.matches(bytes, "POST") ? .POST : Self.matches(bytes, "HEAD") ? .HEAD : nil
            case 5: Self.matches(bytes, "PATCH") ? .PATCH : Self.matches(bytes, "TRACE") ? .TRACE : nil
            case 6: Self.matches(bytes, "DELETE") ? .DELETE : nil
            case 7: Self.matches(bytes, "OPTIONS") ? .OPTIONS : Self.matches(bytes, "CONNECT") ? .CONNECT : nil
            default: nil
            }
        self = method ?? .other(String(decoding: bytes, as: UTF8.self))
    }

    /// True when `bytes` are exactly `token` (case-sensitive).
    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ token: StaticString) -> Bool {
        bytes.elementsEqual(UnsafeBufferPointer(start: token.utf8Start, count: token.utf8CodeUnitCount))
    }

    /// The token as sent on the wire.
    public var rawValue: String {
        switch self {
        case .GET: "GET"
        case .HEAD: "HEAD"
        case .POST: "POST"
        case .PUT: "PUT"
        case .DELETE: "DELETE"
        case .PATCH: "PATCH"
        case .OPTIONS: "OPTIONS"
        case .TRACE: "TRACE"
        case .CONNECT: "CONNECT"
        case .other(let token): token
        }
    }

    public var description: String { rawValue }

    /// Methods whose requests carry a body, so a request without `Content-Length` or chunked framing is
    /// answered 411 `length-required`.
    var requiresLength: Bool {
        switch self {
        case .POST, .PUT, .PATCH: true
        default: false
        }
    }
}
