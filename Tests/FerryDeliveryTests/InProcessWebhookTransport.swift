import FerryWebhooks
import Synchronization

/// A ``FerryWebhooks/WebhookTransport`` with no sockets: every attempt is recorded and waits until the test
/// answers it (``answer(_:status:headers:)``, ``fail(_:error:)``). Completions run on the answering thread.
/// Thread-safety: `Sendable`; every method may be called from any thread.
final class InProcessWebhookTransport: WebhookTransport {
    /// One attempt as the transport received it.
    struct Sent: Sendable {
        let id: WebhookTransferID
        let attempt: WebhookAttempt

        func header(_ name: String) -> String? {
            let wanted = name.lowercased()
            return attempt.headers.first { $0.name.lowercased() == wanted }?.value
        }

        var bodyText: String { String(decoding: attempt.body, as: UTF8.self) }
    }

    typealias Completion = @Sendable (Result<WebhookResponse, WebhookTransportError>) -> Void

    struct State {
        var nextID: UInt64 = 0
        var sent: [Sent] = []
        /// How many of `sent` ``next()`` has handed out.
        var handedOut = 0
        var open: [WebhookTransferID: Completion] = [:]
        var waiters: [CheckedContinuation<Sent, Never>] = []
    }

    private let state = Mutex(State())

    /// Every attempt sent so far, in order.
    var sent: [Sent] { state.withLock { $0.sent } }

    @discardableResult
    func send(_ attempt: WebhookAttempt, completion: @escaping Completion) -> WebhookTransferID {
        let (id, waiter, sent) = state.withLock {
            state -> (WebhookTransferID, CheckedContinuation<Sent, Never>?, Sent) in
            state.nextID += 1
            let id = WebhookTransferID(state.nextID)
            let sent = Sent(id: id, attempt: attempt)
            state.sent.append(sent)
            state.open[id] = completion
            guard !state.waiters.isEmpty else { return (id, nil, sent) }
            state.handedOut += 1
            return (id, state.waiters.removeFirst(), sent)
        }
        waiter?.resume(returning: sent)
        return id
    }

    func cancel(_ id: WebhookTransferID) {
        complete(id, .failure(.cancelled))
    }

    /// The next attempt not handed out yet, waiting for it if need be.
    func next() async -> Sent {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Sent? in
                guard state.handedOut < state.sent.count else {
                    state.waiters.append(continuation)
                    return nil
                }
                state.handedOut += 1
                return state.sent[state.handedOut - 1]
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Answers `sent` with a response.
    func answer(_ sent: Sent, status: Int, headers: [(name: String, value: String)] = []) {
        complete(sent.id, .success(WebhookResponse(status: status, headers: headers)))
    }

    /// Fails `sent` without a response.
    func fail(_ sent: Sent, error: String) {
        complete(sent.id, .failure(WebhookTransportError(error)))
    }

    private func complete(_ id: WebhookTransferID, _ result: Result<WebhookResponse, WebhookTransportError>) {
        let completion = state.withLock { $0.open.removeValue(forKey: id) }
        completion?(result)
    }
}
