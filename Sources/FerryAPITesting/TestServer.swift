import FerryAPI
import FerryBroker
import FerryDelivery
import FerryHTTP
import FerryLog
import FerryServer
import FerryTesting
import Logging

/// A real `FerryServer` in this process over a fresh temp data dir, reached as ``mode`` says: listening on
/// 127.0.0.1 (an ephemeral port, two loops) with a libcurl ``client``, or not listening at all with an
/// in-process ``client`` that runs requests through the server's own router and admission hook. Nothing of the
/// server is mocked either way.
///
/// In process, the server is built but not started: no listener, no periodic housekeeping (group member
/// eviction) and no retention runs; webhook delivery is started. Readiness is on.
///
/// Use through ``withTestServer(_:flushPolicy:configure:_:)``, which always stops the server and removes the
/// directory. `Sendable`; ``stop()`` blocks (call it off the cooperative pool).
public final class TestServer: Sendable {
    public let mode: APITestMode
    public let directory: TemporaryDirectory
    public let server: FerryServer
    public let client: APIClient
    /// Runs requests through the server's router in this process, in either mode (for what ``client`` cannot
    /// do: read a stream while it is open, close it, see the route or the noted user).
    public let runner: InProcessRunner

    /// The port it listens on. Live mode only (traps in process: nothing listens).
    public var port: Int {
        precondition(mode == .live, "an in-process test server does not listen")
        return server.port
    }

    /// The test defaults: 127.0.0.1, port 0, two loops, short linger and grace, retention effectively off.
    public static func configuration(_ configure: (inout FerryServer.Configuration) -> Void)
        -> FerryServer.Configuration
    {
        var http = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        http.loopCount = 2
        http.lingerTimeout = .milliseconds(200)
        var configuration = FerryServer.Configuration(
            http: http, retentionCheckIntervalMilliseconds: 60_000, shutdownGracePeriod: .seconds(3))
        configure(&configuration)
        return configuration
    }

    /// Starts a server; `configure` may change the configuration (limits, auto-create, …).
    public convenience init(
        _ mode: APITestMode = .live, flushPolicy: FlushPolicy = .never,
        configure: (inout FerryServer.Configuration) -> Void = { _ in }
    ) throws {
        try self.init(mode, flushPolicy: flushPolicy, configuration: Self.configuration(configure))
    }

    /// Starts a server with exactly `configuration` (blocks on disk I/O while the storage opens).
    public init(_ mode: APITestMode, flushPolicy: FlushPolicy, configuration: FerryServer.Configuration) throws {
        self.mode = mode
        directory = TemporaryDirectory(prefix: "ferry-itest")
        var logger = Logger(label: "ferry-itest")
        logger.logLevel = .warning
        do {
            let storage = try EmbeddedStorageEngine(
                dataDirectory: directory.path, flushPolicy: flushPolicy, logger: logger)
            server = try FerryServer(configuration: configuration, storage: storage, logger: logger)
            runner = InProcessRunner(router: server.api.makeRouter())
            switch mode {
            case .live:
                try server.start()
                client = APIClient(port: server.port)
            case .inProcess:
                server.api.setReady(true)
                server.webhooks.start()
                client = APIClient(inProcess: runner)
            }
        } catch {
            directory.remove()
            throw error
        }
    }

    /// Stops the server (answering held requests) and removes the data directory. Blocks.
    public func stop() {
        if mode == .inProcess { server.api.answerHeldRequests() }
        server.shutdown()
        directory.remove()
    }

    /// Waits (bounded, ≤ `seconds`) until the API holds at least `count` requests (long-polls, streams);
    /// returns how many it holds then.
    public func waitUntilHeld(_ count: Int, seconds: Int = 30) async throws -> Int {
        var held = 0
        for _ in 0..<(seconds * 20) {
            held = server.api.heldRequestCount
            if held >= count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return held
    }
}

/// Runs `body` against a fresh server reached as `mode` says, then stops it (also when `body` throws).
public func withTestServer<T>(
    _ mode: APITestMode = .live, flushPolicy: FlushPolicy = .never,
    configure: (inout FerryServer.Configuration) -> Void = { _ in },
    _ body: (TestServer, APIClient) async throws -> T
) async throws -> T {
    // Opening storage and shutting down block: keep them off the cooperative pool (2 threads here).
    let configuration = TestServer.configuration(configure)
    let server = try await onDispatchThread {
        try TestServer(mode, flushPolicy: flushPolicy, configuration: configuration)
    }
    do {
        let result = try await body(server, server.client)
        try await onDispatchThread { server.stop() }
        return result
    } catch {
        try? await onDispatchThread { server.stop() }
        throw error
    }
}
