/// How one attempt ended. `Sendable`, `Equatable`.
public enum WebhookOutcome: Sendable, Equatable {
    /// Any 2xx status: the batch is delivered.
    case delivered(status: Int, latency: Duration)
    /// 410 Gone: the receiver wants no more deliveries (the dispatcher disables the subscription).
    case gone(latency: Duration)
    /// Anything else: another status (3xx included — redirects are not followed), a timeout, a refused
    /// connection, a TLS or protocol error, or a cancelled attempt (`error` is then "cancelled").
    /// `status` is nil when no response arrived; `retryAfter` comes only from a 429 or 503 `Retry-After`.
    case failed(status: Int?, error: String, retryAfter: Duration?, latency: Duration)

    /// The latency of the attempt: from ``WebhookTransport/send(_:completion:)`` to its completion.
    public var latency: Duration {
        switch self {
        case .delivered(_, let latency), .gone(let latency), .failed(_, _, _, let latency): latency
        }
    }

    /// The HTTP status, when a response arrived.
    public var status: Int? {
        switch self {
        case .delivered(let status, _): status
        case .gone: 410
        case .failed(let status, _, _, _): status
        }
    }
}
