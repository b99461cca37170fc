import FerrySystem
import FerryCurl

#if canImport(Glibc)
    import Glibc
#endif

/// Sends webhook attempts over one shared ``FerryCurl/CurlMultiDriver`` (one thread for all transfers, keep-alive
/// connection reuse). `Sendable`: ``send(_:completion:)`` and ``cancel(_:)`` may be called from any thread and
/// never block.
///
/// Every attempt is a `POST` that follows no redirects, speaks only http/https, ignores proxy environment
/// variables, connects to the attempt's pin when it has one, and reads at most `maxResponseBytes` of the
/// response body (the rest is dropped and the connection closed; the status still decides the outcome).
/// Completions run **on the driver thread** and must not block.
public final class WebhookSender: Sendable {
    public let driver: CurlMultiDriver
    public let maxResponseBytes: Int

    public init(driver: CurlMultiDriver, maxResponseBytes: Int = 64 * 1024) {
        precondition(maxResponseBytes >= 0, "maxResponseBytes must not be negative")
        self.driver = driver
        self.maxResponseBytes = maxResponseBytes
    }

    /// Starts `attempt`; `completion` is called exactly once, on the driver thread, with its outcome.
    @discardableResult
    public func send(
        _ attempt: WebhookAttempt, completion: @escaping @Sendable (WebhookOutcome) -> Void
    ) -> CurlMultiDriver.TransferID {
        let request = CurlRequest(
            method: "POST", url: attempt.url, headers: attempt.headers, body: attempt.body, timeout: attempt.timeout,
            maxResponseBytes: maxResponseBytes, discardBodyBeyondLimit: true,
            resolve: attempt.pin.map { [$0] } ?? [], useEnvironmentProxy: false)
        let started = ContinuousClock.now
        return driver.submit(request) { result in
            completion(Self.outcome(of: result, latency: ContinuousClock.now - started, now: Self.nowMilliseconds()))
        }
    }

    /// Aborts an attempt; unless it already finished, its completion gets `.failed(error: "cancelled")`.
    public func cancel(_ id: CurlMultiDriver.TransferID) { driver.cancel(id) }

    /// Maps a transfer result to an outcome (`now` in ms since the epoch, for an HTTP-date `Retry-After`).
    static func outcome(of result: Result<CurlResponse, CurlError>, latency: Duration, now: Int64) -> WebhookOutcome {
        switch result {
        case .success(let response):
            switch response.status {
            case 200..<300: return .delivered(status: response.status, latency: latency)
            case 410: return .gone(latency: latency)
            default:
                var retryAfter: Duration?
                if response.status == 429 || response.status == 503, let header = response.header("retry-after") {
                    retryAfter = RetryBackoff.retryAfter(header, now: now)
                }
                return .failed(
                    status: response.status, error: "HTTP \(response.status)", retryAfter: retryAfter, latency: latency)
            }
        case .failure(let error):
            return .failed(status: nil, error: error.description, retryAfter: nil, latency: latency)
        }
    }

    static func nowMilliseconds() -> Int64 { WallClock.milliseconds() }
}
