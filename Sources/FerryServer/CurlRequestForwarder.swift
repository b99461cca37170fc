import FerryAPI
import FerryCurl

/// Forwards requests to other gateways of the cluster over the shared `curl_multi` driver (never blocks).
public final class CurlRequestForwarder: RequestForwarder {
    /// The driver (owned by the caller, who shuts it down).
    public let driver: CurlMultiDriver

    public init(driver: CurlMultiDriver) {
        self.driver = driver
    }

    @discardableResult
    public func forward(
        _ request: ForwardedRequest,
        completion: @escaping @Sendable (Result<ForwardedResponse, ForwardingFailure>) -> Void
    ) -> UInt64 {
        // Gateways talk to each other directly, never through a proxy named by the environment.
        let outgoing = CurlRequest(
            method: request.method, url: request.url, headers: request.headers, body: request.body,
            timeout: .milliseconds(request.timeoutMilliseconds), useEnvironmentProxy: false)
        return driver.submit(outgoing) { result in
            completion(
                result.map { ForwardedResponse(status: $0.status, headers: $0.headers, body: $0.body) }
                    .mapError { ForwardingFailure($0.description) })
        }.value
    }

    public func cancel(_ id: UInt64) { driver.cancel(CurlMultiDriver.TransferID(value: id)) }
}
