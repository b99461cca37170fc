/// Why a request could not be parsed. Each error maps to one status and API.md slug; the server answers it
/// and closes the connection (the framing can no longer be trusted).
public enum HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case requestLineTooLong
    case headersTooLarge
    case tooManyHeaders
    case invalidRequestLine
    case invalidMethod
    case invalidTarget
    case unsupportedVersion
    case invalidHeader
    case obsoleteLineFolding
    case bareLineFeed
    case missingHost
    case multipleHosts
    case invalidContentLength
    case conflictingContentLength
    case contentLengthWithTransferEncoding
    case transferEncodingInHTTP10
    case invalidTransferEncoding
    case unsupportedTransferEncoding
    case invalidChunkSize
    case invalidChunk
    case bodyTooLarge
    case lengthRequired
    case invalidPercentEncoding
    case unsupportedExpectation

    /// The status the server answers with.
    public var status: HTTPStatus {
        switch self {
        case .requestLineTooLong: .uriTooLong
        case .headersTooLarge, .tooManyHeaders: .headersTooLarge
        case .unsupportedVersion: .httpVersionNotSupported
        case .unsupportedTransferEncoding: .notImplemented
        case .bodyTooLarge: .contentTooLarge
        case .lengthRequired: .lengthRequired
        case .unsupportedExpectation: .expectationFailed
        default: .badRequest
        }
    }

    /// The problem type slug (API.md).
    public var slug: String {
        switch self {
        case .requestLineTooLong: "uri-too-long"
        case .headersTooLarge, .tooManyHeaders: "headers-too-large"
        case .unsupportedVersion: "http-version-not-supported"
        case .unsupportedTransferEncoding: "not-implemented"
        case .bodyTooLarge: "body-too-large"
        case .lengthRequired: "length-required"
        case .unsupportedExpectation: "expectation-failed"
        default: "bad-request"
        }
    }

    public var description: String {
        switch self {
        case .requestLineTooLong: "request line too long"
        case .headersTooLarge: "header block too large"
        case .tooManyHeaders: "too many header fields"
        case .invalidRequestLine: "malformed request line"
        case .invalidMethod: "malformed method"
        case .invalidTarget: "malformed request target"
        case .unsupportedVersion: "unsupported HTTP version"
        case .invalidHeader: "malformed header field"
        case .obsoleteLineFolding: "obsolete line folding is not accepted"
        case .bareLineFeed: "line ends with LF without CR"
        case .missingHost: "HTTP/1.1 request without Host"
        case .multipleHosts: "more than one Host field"
        case .invalidContentLength: "malformed Content-Length"
        case .conflictingContentLength: "conflicting Content-Length values"
        case .contentLengthWithTransferEncoding: "both Content-Length and Transfer-Encoding"
        case .transferEncodingInHTTP10: "Transfer-Encoding in an HTTP/1.0 request"
        case .invalidTransferEncoding: "malformed Transfer-Encoding"
        case .unsupportedTransferEncoding: "unsupported transfer coding"
        case .invalidChunkSize: "malformed chunk size"
        case .invalidChunk: "malformed chunk framing"
        case .bodyTooLarge: "body exceeds the maximum size"
        case .lengthRequired: "body-bearing method without Content-Length or chunked framing"
        case .invalidPercentEncoding: "malformed percent-encoding in the request target"
        case .unsupportedExpectation: "unsupported Expect value"
        }
    }
}

/// Size limits the parser enforces.
public struct HTTPParserLimits: Sendable, Equatable {
    /// Longest request line (method, target, version, CRLF) → 414.
    public var maxRequestLineBytes: Int
    /// Largest header block after the request line (also bounds chunked trailers) → 431.
    public var maxHeaderBytes: Int
    /// Most header fields → 431.
    public var maxHeaderCount: Int
    /// Largest body (declared or decoded) → 413.
    public var maxBodyBytes: Int

    public init(
        maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 32768, maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 64 << 20
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}
