import FerryHTTP
import FerryJSON
import Logging
import Synchronization
import Testing

/// A real webhook receiver: an in-process FerryHTTP server on 127.0.0.1 (ephemeral port) that records every
/// POST and answers as ``answer`` decides (per request: a status with headers, or no answer at all so the
/// sender times out).
final class WebhookReceiver: Sendable {
    /// One received POST.
    struct Delivery: Sendable {
        let path: String
        let headers: [(name: String, value: String)]
        let body: [UInt8]
        let json: JSONValue?
        /// When it arrived (receiver's clock).
        let arrival: ContinuousClock.Instant

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        var id: String? { header("webhook-id") }
        var messages: [JSONValue] { json?["messages"].list ?? [] }
        /// `partition/offset` of every message.
        var positions: [String] { messages.map { "\($0["partition"].int ?? -1)/\($0["offset"].int ?? -1)" } }
    }

    enum Answer: Sendable {
        case status(Int, headers: [(String, String)] = [])
        /// Never answers (the sender's timeout ends the attempt).
        case hang
    }

    final class State: Sendable {
        let received = Mutex<[Delivery]>([])
        /// Decides the answer to each delivery; default 200.
        let answer = Mutex<@Sendable (Delivery) -> Answer>({ _ in .status(200) })
    }

    let server: HTTPServer
    let state = State()

    /// The URL of `path` on this receiver.
    func url(_ path: String = "/hook") -> String { "http://127.0.0.1:\(server.boundPort)\(path)" }

    init() throws {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 1
        configuration.lingerTimeout = .milliseconds(100)
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .error
        let state = self.state
        server = HTTPServer(
            configuration: configuration,
            handler: { request, responder in
                let delivery = Delivery(
                    path: request.path, headers: request.headers.fields.map { ($0.name, $0.value) }, body: request.body,
                    json: try? JSONValue.parse(request.body), arrival: ContinuousClock.now)
                state.received.withLock { $0.append(delivery) }
                switch state.answer.withLock({ $0 })(delivery) {
                case .status(let code, let headers):
                    responder.respond(HTTPResponse(status: HTTPStatus(code), headers: HTTPHeaders(headers)))
                case .hang:
                    break
                }
            }, logger: logger)
        try server.start()
    }

    func setAnswer(_ decide: @escaping @Sendable (Delivery) -> Answer) { state.answer.withLock { $0 = decide } }

    /// Every POST received so far, in arrival order.
    var deliveries: [Delivery] { state.received.withLock { $0 } }

    /// Polls (every 20 ms, at most `attempts` times) until `condition` holds on the deliveries; returns them.
    @discardableResult
    func wait(
        attempts: Int = 1500, sourceLocation: SourceLocation = #_sourceLocation,
        until condition: ([Delivery]) -> Bool
    ) async throws -> [Delivery] {
        for _ in 0..<attempts {
            let now = deliveries
            if condition(now) { return now }
            try await Task.sleep(for: .milliseconds(20))
        }
        let last = deliveries
        let reached = condition(last)
        #expect(reached, "condition not reached; \(last.count) deliveries: \(last.map(\.path))", sourceLocation: sourceLocation)
        return last
    }

    func stop() async { await server.shutdown(gracePeriod: .milliseconds(200)) }
}

/// Runs `body` with a receiver, stopping it afterwards (also when `body` throws).
func withReceiver<T>(_ body: (WebhookReceiver) async throws -> T) async throws -> T {
    let receiver = try WebhookReceiver()
    do {
        let result = try await body(receiver)
        await receiver.stop()
        return result
    } catch {
        await receiver.stop()
        throw error
    }
}

/// Polls a status endpoint until `condition` holds (every 20 ms, at most `attempts` times); returns the last.
@discardableResult
func waitForStatus(
    _ client: APIClient, _ path: String, attempts: Int = 1500, sourceLocation: SourceLocation = #_sourceLocation,
    until condition: (APIResponse) -> Bool
) async throws -> APIResponse {
    var last = try await client.get(path)
    for _ in 0..<attempts {
        if condition(last) { return last }
        try await Task.sleep(for: .milliseconds(20))
        last = try await client.get(path)
    }
    let reached = condition(last)
    #expect(reached, "status condition not reached: \(last.text)", sourceLocation: sourceLocation)
    return last
}
