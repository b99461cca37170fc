/// How a transport's result reads as a delivery outcome (the same for every ``WebhookTransport``).
extension WebhookOutcome {
    /// 2xx is delivered, 410 gone, anything else (or no response) failed; a 429 or 503 `Retry-After` is kept.
    /// `now` is milliseconds since the epoch, for an HTTP-date `Retry-After`.
    public init(_ result: Result<WebhookResponse, WebhookTransportError>, latency: Duration, now: Int64) {
        switch result {
        case .success(let response):
            switch response.status {
            case 200..<300: self = .delivered(status: response.status, latency: latency)
            case 410: self = .gone(latency: latency)
            default:
                var retryAfter: Duration?
                if response.status == 429 || response.status == 503, let header = response.header("retry-after") {
                    retryAfter = RetryBackoff.retryAfter(header, now: now)
                }
                self = .failed(
                    status: response.status, error: "HTTP \(response.status)", retryAfter: retryAfter, latency: latency)
            }
        case .failure(let error):
            self = .failed(status: nil, error: error.description, retryAfter: nil, latency: latency)
        }
    }
}
