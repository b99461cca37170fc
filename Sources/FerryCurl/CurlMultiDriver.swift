import CCurl
import FerrySystem
import Synchronization

/// Many concurrent HTTP transfers on **one** dedicated thread driving a `curl_multi` handle: no thread per
/// request, and one connection cache shared by all transfers (keep-alive reuse across requests). Built for
/// webhook delivery and for `async` callers that must not block the cooperative pool.
///
/// Thread-safety: `Sendable`; ``submit(_:completion:)``, ``cancel(_:)``, ``send(_:)`` and ``shutdown()`` may be
/// called from any thread. Submissions go through a locked queue and wake the driver with `curl_multi_wakeup`.
/// Completions run **on the driver thread**, in completion order, and must return quickly (no blocking, no
/// waiting for another transfer), or every transfer stalls. (Only a submission made after ``shutdown()`` is
/// completed at once, with `.cancelled`, on the submitting thread.)
///
/// Lifecycle: the thread starts in `init` and runs until ``shutdown()`` (also called on `deinit`); shutting
/// down completes every unfinished transfer with ``CurlError/cancelled`` and submissions after it complete the
/// same way immediately. Each transfer copies its request body (`CURLOPT_COPYPOSTFIELDS`).
public final class CurlMultiDriver: Sendable {
    /// Identifies a submitted transfer, for ``cancel(_:)``.
    public struct TransferID: Hashable, Sendable {
        /// The driver's number for the transfer (unique per driver; lets an adapter carry it in its own ID type).
        public let value: UInt64

        public init(value: UInt64) { self.value = value }
    }

    /// Called once per transfer, on the driver thread.
    public typealias Completion = @Sendable (Result<CurlResponse, CurlError>) -> Void

    struct Submission {
        let id: TransferID
        let request: CurlRequest
        let completion: Completion
    }

    struct Inbox {
        var submissions: [Submission] = []
        var cancellations: [TransferID] = []
        var nextID: UInt64 = 0
        var isShutDown = false
    }

    private let core: MultiCore

    /// Starts the driver thread.
    /// - Parameters:
    ///   - maxConnectionsPerHost: `CURLMOPT_MAX_HOST_CONNECTIONS` (0 = unlimited); extra transfers to that host
    ///     queue inside libcurl until a connection frees up.
    ///   - maxTotalConnections: `CURLMOPT_MAX_TOTAL_CONNECTIONS` (0 = unlimited).
    ///   - maxIdleHandles: easy handles kept for reuse after their transfer.
    public init(maxConnectionsPerHost: Int = 0, maxTotalConnections: Int = 0, maxIdleHandles: Int = 16)
        throws(CurlError)
    {
        core = try MultiCore(
            maxConnectionsPerHost: maxConnectionsPerHost, maxTotalConnections: maxTotalConnections,
            maxIdleHandles: maxIdleHandles)
        let core = self.core
        SystemThread.detached(name: "ferry-curl") { core.run() }
    }

    deinit { core.shutdown() }

    /// Queues `request`; `completion` is called exactly once on the driver thread with the response or error.
    @discardableResult
    public func submit(_ request: CurlRequest, completion: @escaping Completion) -> TransferID {
        core.submit(request, completion: completion)
    }

    /// Cancels a transfer: unless it already finished, it completes with ``CurlError/cancelled``.
    public func cancel(_ id: TransferID) { core.cancel(id) }

    /// Sends `request` and suspends until it completes; task cancellation cancels the transfer.
    public func send(_ request: CurlRequest) async throws(CurlError) -> CurlResponse {
        let submitted = Mutex<TransferID?>(nil)
        let result: Result<CurlResponse, CurlError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let id = core.submit(request) { continuation.resume(returning: $0) }
                submitted.withLock { $0 = id }
                if Task.isCancelled { core.cancel(id) }
            }
        } onCancel: {
            if let id = submitted.withLock({ $0 }) { core.cancel(id) }
        }
        return try result.get()
    }

    /// Stops the driver: unfinished and later transfers complete with ``CurlError/cancelled``. Does not wait for
    /// the thread to exit; idempotent.
    public func shutdown() { core.shutdown() }
}
