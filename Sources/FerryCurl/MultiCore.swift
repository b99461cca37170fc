import CCurl
import Synchronization

/// The state shared by a ``CurlMultiDriver`` and its thread: the `curl_multi` handle and the locked inbox.
///
/// Invariant: `curl_multi_wakeup` is only called under the inbox lock while `isShutDown` is false, and the
/// thread cleans the multi handle up only after it saw `isShutDown` under that lock, so no wake-up can touch a
/// freed handle. Everything else about the multi handle is confined to the driver thread (``run()``).
final class MultiCore: @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(CurlMultiDriver.Inbox())
    private let maxIdleHandles: Int

    /// One transfer in flight (driver thread only).
    private struct Active {
        let id: CurlMultiDriver.TransferID
        let handle: CurlEasyHandle
        let transfer: CurlTransfer
        let completion: CurlMultiDriver.Completion
    }

    init(maxConnectionsPerHost: Int, maxTotalConnections: Int, maxIdleHandles: Int) throws(CurlError) {
        CurlGlobal.ensureInitialized()
        guard let multi = curl_multi_init() else { throw CurlError.other(code: -1, message: "curl_multi_init failed") }
        self.multi = multi
        self.maxIdleHandles = maxIdleHandles
        ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        ccurl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxTotalConnections)
    }

    func submit(_ request: CurlRequest, completion: @escaping CurlMultiDriver.Completion) -> CurlMultiDriver.TransferID
    {
        let (id, accepted) = inbox.withLock { inbox in
            let id = CurlMultiDriver.TransferID(value: inbox.nextID)
            inbox.nextID += 1
            guard !inbox.isShutDown else { return (id, false) }
            inbox.submissions.append(.init(id: id, request: request, completion: completion))
            curl_multi_wakeup(multi)
            return (id, true)
        }
        if !accepted { completion(.failure(.cancelled)) }
        return id
    }

    func cancel(_ id: CurlMultiDriver.TransferID) {
        inbox.withLock { inbox in
            guard !inbox.isShutDown else { return }
            inbox.cancellations.append(id)
            curl_multi_wakeup(multi)
        }
    }

    func shutdown() {
        inbox.withLock { inbox in
            guard !inbox.isShutDown else { return }
            inbox.isShutDown = true
            curl_multi_wakeup(multi)
        }
    }

    /// The driver loop; returns after shutdown, having completed every transfer and freed the multi handle.
    func run() {
        var active: [UnsafeMutableRawPointer: Active] = [:]
        var idle: [CurlEasyHandle] = []
        while true {
            let (submissions, cancellations, isShutDown) = inbox.withLock { inbox in
                defer {
                    inbox.submissions.removeAll()
                    inbox.cancellations.removeAll()
                }
                return (inbox.submissions, inbox.cancellations, inbox.isShutDown)
            }
            if isShutDown {
                for submission in submissions { submission.completion(.failure(.cancelled)) }
                for (_, transfer) in active { finish(transfer, .failure(.cancelled), &active, &idle) }
                break
            }
            let cancelled = Set(cancellations)
            for submission in submissions {
                guard !cancelled.contains(submission.id) else {
                    submission.completion(.failure(.cancelled))
                    continue
                }
                start(submission, &active, &idle)
            }
            if !cancelled.isEmpty {
                for (_, transfer) in active where cancelled.contains(transfer.id) {
                    finish(transfer, .failure(.cancelled), &active, &idle)
                }
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            collectFinished(&active, &idle)
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        idle.removeAll()
        curl_multi_cleanup(multi)
    }

    private func start(
        _ submission: CurlMultiDriver.Submission, _ active: inout [UnsafeMutableRawPointer: Active],
        _ idle: inout [CurlEasyHandle]
    ) {
        let transfer = CurlTransfer(
            maxResponseBytes: submission.request.maxResponseBytes,
            truncatesBeyondLimit: submission.request.discardBodyBeyondLimit)
        do throws(CurlError) {
            let handle: CurlEasyHandle
            if let reused = idle.popLast() { handle = reused } else { handle = try CurlEasyHandle() }
            try handle.prepare(submission.request, body: .copied(submission.request.body), transfer: transfer)
            curl_multi_add_handle(multi, handle.raw)
            active[handle.raw] = Active(
                id: submission.id, handle: handle, transfer: transfer, completion: submission.completion)
        } catch {
            submission.completion(.failure(error))
        }
    }

    private func collectFinished(_ active: inout [UnsafeMutableRawPointer: Active], _ idle: inout [CurlEasyHandle]) {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard ccurl_msg_is_done(message) != 0, let easy = message.pointee.easy_handle,
                let finished = active[easy]
            else { continue }
            let code = ccurl_msg_result(message)
            let result = Result { () throws(CurlError) -> CurlResponse in
                try finished.handle.finish(code, finished.transfer)
            }
            finish(finished, result, &active, &idle)
        }
    }

    /// Detaches a transfer from the multi handle, recycles its easy handle and calls its completion.
    private func finish(
        _ finished: Active, _ result: Result<CurlResponse, CurlError>,
        _ active: inout [UnsafeMutableRawPointer: Active], _ idle: inout [CurlEasyHandle]
    ) {
        curl_multi_remove_handle(multi, finished.handle.raw)
        active[finished.handle.raw] = nil
        if idle.count < maxIdleHandles { idle.append(finished.handle) }
        finished.completion(result)
    }
}
