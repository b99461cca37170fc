import FerryHTTP
import Logging
import Synchronization

/// A real HTTP server for tests to talk to (a webhook target, a server for the libcurl client): FerryHTTP's
/// own server on 127.0.0.1 and a free port, one loop, that records every request and answers as its handler
/// decides: at once, later, as a stream, or never (the client's timeout ends it).
///
/// Built on FerryHTTP on purpose: the one receiver every test target shares. What it cannot send (bytes that
/// break HTTP framing) is ``RawConnection``'s job, on the client side.
///
/// Lifecycle: `init` listens; call ``stop(gracePeriod:)`` at the end of the test (``withReceiver(_:_:)`` does).
/// Thread-safe: handlers run on the receiver's loop thread; everything else may be called from any thread.
public final class TestHTTPReceiver: Sendable {
    /// Handles one recorded request (on the loop thread, must not block; see `HTTPHandler`).
    public typealias Handler = @Sendable (Received, HTTPResponder) -> Void

    public let server: HTTPServer
    private let state: State

    private final class State: Sendable {
        let received = Mutex<[Received]>([])
        let handler: Mutex<Handler>
        init(_ handler: @escaping Handler) { self.handler = Mutex(handler) }
    }

    /// Starts a receiver whose `handler` answers every request (after it is recorded). `configure` may change
    /// the server's settings; the defaults are one loop, a 120 s idle timeout (far above any pause between a
    /// test's requests, so keep-alive reuse is never cut) and a 100 ms linger.
    public init(
        configure: (inout HTTPServer.Configuration) -> Void = { _ in }, handler: @escaping Handler
    ) throws(HTTPServerError) {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 1
        configuration.idleTimeout = .seconds(120)
        configuration.lingerTimeout = .milliseconds(100)
        configure(&configuration)
        var logger = Logger(label: "test-http-receiver")
        logger.logLevel = .error
        let state = State(handler)
        self.state = state
        server = HTTPServer(
            configuration: configuration,
            handler: { request, responder in
                let received = Received(request: request, arrival: ContinuousClock.now)
                state.received.withLock { $0.append(received) }
                state.handler.withLock { $0 }(received, responder)
            }, logger: logger)
        try server.start()
    }

    /// Starts a receiver that answers each request with what `answer` returns for it (default: 200, no body).
    public convenience init(
        configure: (inout HTTPServer.Configuration) -> Void = { _ in },
        answer: @escaping @Sendable (Received) -> Answer = { _ in .status(200) }
    ) throws(HTTPServerError) {
        try self.init(configure: configure, handler: Answer.handler(answer))
    }

    /// The port it listens on.
    public var port: Int { server.boundPort }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The URL of `path` on this receiver.
    public func url(_ path: String = "/hook") -> String { baseURL + path }

    /// Every request received so far, in arrival order.
    public var received: [Received] { state.received.withLock { $0 } }

    /// The requests alone.
    public var requests: [HTTPRequest] { received.map(\.request) }

    /// Connections accepted so far (keep-alive reuse shows as fewer connections than requests).
    public var acceptedConnections: Int { server.trafficTotals.connectionsAccepted }

    /// Replaces the handler for the requests that come next.
    public func setHandler(_ handler: @escaping Handler) { state.handler.withLock { $0 = handler } }

    /// Replaces the answers for the requests that come next.
    public func setAnswer(_ answer: @escaping @Sendable (Received) -> Answer) { setHandler(Answer.handler(answer)) }

    /// Polls (every 20 ms, at most `attempts` times: a bound against hangs) until `condition` holds on the
    /// requests received; returns them. Throws ``WaitTimeout`` when it never does.
    @discardableResult
    public func wait(attempts: Int = 1500, until condition: ([Received]) -> Bool) async throws -> [Received] {
        for _ in 0..<attempts {
            let now = received
            if condition(now) { return now }
            try await Task.sleep(for: .milliseconds(20))
        }
        let last = received
        if condition(last) { return last }
        throw WaitTimeout(paths: last.map(\.request.path))
    }

    /// The condition of ``wait(attempts:until:)`` never held.
    public struct WaitTimeout: Error, CustomStringConvertible {
        /// The paths of the requests received by then, in order.
        public let paths: [String]
        public var description: String { "condition not reached; \(paths.count) requests: \(paths)" }
    }

    /// Stops the server, blocking the caller: idle connections close at once, held requests get at most
    /// `gracePeriod` (see `HTTPServer.shutdown(gracePeriod:)`).
    public func stop(gracePeriod: Duration = .milliseconds(200)) { server.shutdown(gracePeriod: gracePeriod) }

    /// ``stop(gracePeriod:)`` without blocking a cooperative thread.
    public func stop(gracePeriod: Duration = .milliseconds(200)) async {
        await server.shutdown(gracePeriod: gracePeriod)
    }
}

/// Runs `body` with a fresh receiver (answering with `answer`), stopping it afterwards, also when `body` throws.
public func withReceiver<T>(
    answer: @escaping @Sendable (TestHTTPReceiver.Received) -> TestHTTPReceiver.Answer = { _ in .status(200) },
    _ body: (TestHTTPReceiver) async throws -> T
) async throws -> T {
    let receiver = try TestHTTPReceiver(answer: answer)
    do {
        let result = try await body(receiver)
        await receiver.stop()
        return result
    } catch {
        await receiver.stop()
        throw error
    }
}
