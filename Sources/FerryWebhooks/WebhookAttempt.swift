/// One HTTP POST of one batch to one subscription URL. A plain value; `Sendable`.
public struct WebhookAttempt: Sendable {
    /// The target URL (already accepted by ``WebhookTargetPolicy/parse(_:)``).
    public var url: String
    /// The `CURLOPT_RESOLVE` pin from ``WebhookTargetPolicy/admit(_:)``, or nil to let libcurl resolve.
    public var pin: String?
    /// The request headers, usually from ``WebhookHeaders/make(id:timestamp:body:signer:custom:)``.
    public var headers: [(name: String, value: String)]
    /// The JSON body.
    public var body: [UInt8]
    /// Limit for the whole attempt (connect + send + response).
    public var timeout: Duration

    public init(url: String, pin: String?, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration) {
        self.url = url
        self.pin = pin
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

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

    /// The latency of the attempt: from ``WebhookSender/send(_:completion:)`` to its completion.
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
