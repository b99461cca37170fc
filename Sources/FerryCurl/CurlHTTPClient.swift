import CCurl
import Synchronization

/// A blocking HTTP/1.1 client over libcurl with connection reuse. `Sendable`; safe to share between threads.
///
/// Each call borrows an easy handle from a small idle pool (LIFO, at most `maxIdleHandles` kept) and returns
/// it afterwards; a handle keeps its connection cache, so sequential requests reuse keep-alive connections and
/// concurrent calls simply use more handles. Every handle has `CURLOPT_NOSIGNAL=1`, follows no redirects and
/// speaks HTTP/1.1 only. No `Expect: 100-continue` is sent unless the caller adds it.
///
/// Blocking: the synchronous `send` and ``stream(_:onData:)`` block the calling thread for up to the request's
/// timeout; never call them on an event-loop thread or from an `async` context. The `async` `send` instead
/// hands the transfer to this client's ``CurlMultiDriver`` (one thread, started on first use, stopped when the
/// client is released), so it never blocks a cooperative-pool thread and honours task cancellation.
public final class CurlHTTPClient: Sendable {
    /// How many idle handles (each with its open connections) are kept between requests.
    public let maxIdleHandles: Int
    private let idle = Mutex<[CurlEasyHandle]>([])
    private let driver = Mutex<CurlMultiDriver?>(nil)

    public init(maxIdleHandles: Int = 8) {
        precondition(maxIdleHandles >= 0, "maxIdleHandles must not be negative, got \(maxIdleHandles)")
        self.maxIdleHandles = maxIdleHandles
    }

    /// Sends `request` and waits for the complete response.
    /// - Throws: ``CurlError`` (`.connectionRefused`, `.timedOut`, `.responseTooLarge`, `.invalidRequest`, `.other`).
    ///   A non-2xx status is a response, not an error.
    public func send(_ request: CurlRequest) throws(CurlError) -> CurlResponse {
        let transfer = CurlTransfer(
            maxResponseBytes: request.maxResponseBytes, truncatesBeyondLimit: request.discardBodyBeyondLimit)
        return try perform(request, transfer)
    }

    /// Sends `request` and hands the response body to `onData` piece by piece as it arrives (for chunked or
    /// Server-Sent Events responses). `onData` returns false to stop reading; the transfer then ends normally
    /// (its connection is closed, not reused). Blocks until the body ends, `onData` stops, or the timeout.
    ///
    /// - Returns: the status and headers (the body is empty: it went to `onData`).
    /// - Throws: ``CurlError``; `.timedOut` also when the server keeps the stream open past the timeout.
    public func stream(
        _ request: CurlRequest, onData: (UnsafeRawBufferPointer) -> Bool
    ) throws(CurlError) -> CurlResponse {
        try withoutActuallyEscaping(onData) { (consumer) throws(CurlError) -> CurlResponse in
            let transfer = CurlTransfer(maxResponseBytes: request.maxResponseBytes, onData: consumer)
            defer { transfer.onData = nil }  // must not outlive this call
            return try perform(request, transfer)
        }
    }

    /// Sends `request` without blocking a cooperative-pool thread: the transfer runs on this client's
    /// ``CurlMultiDriver`` thread (shared by all `async` calls, with its own keep-alive connection cache).
    /// Task cancellation aborts the transfer with ``CurlError/cancelled``.
    public func send(_ request: CurlRequest) async throws(CurlError) -> CurlResponse {
        try await multiDriver().send(request)
    }

    /// The driver for `async` sends, created on first use.
    private func multiDriver() throws(CurlError) -> CurlMultiDriver {
        try driver.withLock { (driver) throws(CurlError) -> CurlMultiDriver in
            if let existing = driver { return existing }
            let created = try CurlMultiDriver(maxIdleHandles: maxIdleHandles)
            driver = created
            return created
        }
    }

    private func perform(_ request: CurlRequest, _ transfer: CurlTransfer) throws(CurlError) -> CurlResponse {
        let handle = try checkOut()
        let result: Result<CurlResponse, CurlError> = request.body.withUnsafeBytes { body in
            Result { () throws(CurlError) -> CurlResponse in
                try handle.prepare(request, body: .borrowed(body), transfer: transfer)
                let code = handle.perform()
                return try handle.finish(code, transfer)
            }
        }
        checkIn(handle)
        return try result.get()
    }

    private func checkOut() throws(CurlError) -> CurlEasyHandle {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        return try CurlEasyHandle()
    }

    private func checkIn(_ handle: CurlEasyHandle) {
        idle.withLock { handles in
            if handles.count < maxIdleHandles { handles.append(handle) }
        }
    }
}
