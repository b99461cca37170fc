import FerryAPI
import FerryBroker
import FerryHTTP
import FerryLog
import Logging

/// A real `FerryServer` in this process: temp data dir, 127.0.0.1, an ephemeral port, two loops, and a
/// libcurl client pointed at it. Everything goes over sockets; nothing of the server is mocked.
///
/// Use through ``withTestServer(_:configure:_:)``, which always shuts the server down and removes the directory.
final class TestServer: Sendable {
    let directory: TemporaryDirectory
    let server: FerryServer
    let client: APIClient

    var port: Int { server.port }

    /// The test defaults: 127.0.0.1, port 0, two loops, short linger and grace, retention effectively off.
    static func configuration(_ configure: (inout FerryServer.Configuration) -> Void) -> FerryServer.Configuration {
        var http = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        http.loopCount = 2
        http.lingerTimeout = .milliseconds(200)
        var configuration = FerryServer.Configuration(
            http: http, retentionCheckIntervalMilliseconds: 60_000, shutdownGracePeriod: .seconds(3))
        configure(&configuration)
        return configuration
    }

    /// Starts a server; `configure` may change the configuration (limits, auto-create, …).
    convenience init(
        flushPolicy: FlushPolicy = .never,
        configure: (inout FerryServer.Configuration) -> Void = { _ in }
    ) throws {
        try self.init(flushPolicy: flushPolicy, configuration: Self.configuration(configure))
    }

    /// Starts a server with exactly `configuration` (blocks on disk I/O while the storage opens).
    init(flushPolicy: FlushPolicy, configuration: FerryServer.Configuration) throws {
        directory = TemporaryDirectory()
        var logger = Logger(label: "ferry-itest")
        logger.logLevel = .warning
        do {
            let storage = try EmbeddedStorageEngine(
                dataDirectory: directory.path, flushPolicy: flushPolicy, logger: logger)
            server = try FerryServer(configuration: configuration, storage: storage, logger: logger)
            try server.start()
        } catch {
            directory.remove()
            throw error
        }
        client = APIClient(port: server.port)
    }

    /// Stops the server (answering held requests) and removes the data directory.
    func stop() {
        server.shutdown()
        directory.remove()
    }
}

/// Runs `body` against a fresh in-process server, then stops it (also when `body` throws).
func withTestServer<T>(
    flushPolicy: FlushPolicy = .never,
    configure: (inout FerryServer.Configuration) -> Void = { _ in },
    _ body: (TestServer, APIClient) async throws -> T
) async throws -> T {
    // Opening storage and shutting down block: keep them off the cooperative pool (2 threads here).
    let configuration = TestServer.configuration(configure)
    let server = try await onDispatchThread { try TestServer(flushPolicy: flushPolicy, configuration: configuration) }
    do {
        let result = try await body(server, server.client)
        try await onDispatchThread { server.stop() }
        return result
    } catch {
        try? await onDispatchThread { server.stop() }
        throw error
    }
}
