import FerryBroker
import FerryHTTP
import Synchronization

/// Answers a request once two things are known, in either order: the response built on the handler's thread
/// and the durability of the change it reports (which a flusher may signal before or after the response is
/// built). Sends the response on success, the storage error's problem otherwise. Exactly one answer is sent.
final class DurableAnswer: Sendable {
    private let responder: HTTPResponder
    private let state = Mutex<(response: HTTPResponse?, durable: Result<Void, BrokerError>?)>((nil, nil))

    init(_ responder: HTTPResponder) { self.responder = responder }

    /// An answer of `204 No Content` once the change is durable (deletions).
    static func noContent(_ responder: HTTPResponder) -> DurableAnswer {
        let answer = DurableAnswer(responder)
        answer.respond(HTTPResponse(status: .noContent))
        return answer
    }

    /// The response to send once the change is durable. Call once.
    func respond(_ response: HTTPResponse) {
        let durable = state.withLock { state in
            state.response = response
            return state.durable
        }
        if let durable { finish(response, durable) }
    }

    /// The durability result (an `onDurable` callback). Called once.
    @Sendable func durable(_ result: Result<Void, BrokerError>) {
        let response = state.withLock { state in
            state.durable = result
            return state.response
        }
        if let response { finish(response, result) }
    }

    private func finish(_ response: HTTPResponse, _ durable: Result<Void, BrokerError>) {
        switch durable {
        case .success: responder.respond(response)
        case .failure(let error): responder.respond(ProblemMapping.response(for: error))
        }
    }
}
