/// Every error FerryCurl throws.
public enum CurlError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The TCP connection could not be established (refused, unreachable; libcurl's `CURLE_COULDNT_CONNECT`).
    case connectionRefused
    /// The request's timeout elapsed before the response was complete (`CURLE_OPERATION_TIMEDOUT`).
    case timedOut
    /// The response body exceeded the request's `maxResponseBytes`; the transfer was aborted.
    case responseTooLarge(limit: Int)
    /// The request cannot be sent as given (malformed URL, CR/LF in a header, bad method): why.
    case invalidRequest(String)
    /// The transfer was cancelled (its task was cancelled, or the ``CurlMultiDriver`` shut down) before it finished.
    case cancelled
    /// Any other libcurl failure: its `CURLcode` and message.
    case other(code: Int, message: String)

    public var description: String {
        switch self {
        case .connectionRefused: "connection refused"
        case .timedOut: "request timed out"
        case .responseTooLarge(let limit): "response body larger than \(limit) bytes"
        case .invalidRequest(let why): "invalid request: \(why)"
        case .cancelled: "request cancelled"
        case .other(let code, let message): "libcurl error \(code): \(message)"
        }
    }
}
