import FerryCurl
import FerryWebhooks

/// The libcurl ``FerryWebhooks/WebhookTransport``: every attempt goes over one shared
/// ``FerryCurl/CurlMultiDriver`` (one thread for all transfers, keep-alive connection reuse). The only place
/// webhooks meet libcurl. `Sendable`: ``send(_:completion:)`` and ``cancel(_:)`` may be called from any thread
/// and never block.
///
/// Every attempt is a `POST` that follows no redirects, speaks only http/https, ignores proxy environment
/// variables, connects to the attempt's pin when it has one (`CURLOPT_RESOLVE`), and reads at most
/// `maxResponseBytes` of the response body (the rest is dropped and the connection closed; the status still
/// decides the outcome). Completions run **on the driver thread** and must not block.
public final class CurlWebhookTransport: WebhookTransport {
    /// The driver (owned by the caller, who shuts it down).
    public let driver: CurlMultiDriver
    public let maxResponseBytes: Int

    public init(driver: CurlMultiDriver, maxResponseBytes: Int = 64 * 1024) {
        precondition(maxResponseBytes >= 0, "maxResponseBytes must not be negative")
        self.driver = driver
        self.maxResponseBytes = maxResponseBytes
    }

    @discardableResult
    public func send(
        _ attempt: WebhookAttempt,
        completion: @escaping @Sendable (Result<WebhookResponse, WebhookTransportError>) -> Void
    ) -> WebhookTransferID {
        let request = CurlRequest(
            method: "POST", url: attempt.url, headers: attempt.headers, body: attempt.body, timeout: attempt.timeout,
            maxResponseBytes: maxResponseBytes, discardBodyBeyondLimit: true,
            resolve: attempt.pin.map { [$0] } ?? [], useEnvironmentProxy: false)
        let id = driver.submit(request) { result in
            completion(
                result.map { WebhookResponse(status: $0.status, headers: $0.headers) }
                    .mapError { WebhookTransportError($0.description) })
        }
        return WebhookTransferID(id.value)
    }

    public func cancel(_ id: WebhookTransferID) { driver.cancel(CurlMultiDriver.TransferID(value: id.value)) }
}
