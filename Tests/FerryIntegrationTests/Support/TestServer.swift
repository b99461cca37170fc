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

    /// Starts a server; `configure` may change the configuration (limits, auto-create, …).
    init(
        flushPolicy: FlushPolicy = .never,
        configure: (inout FerryServer.Configuration) -> Void = { _ in }
    ) throws {
        directory = TemporaryDirectory()
        var logger = Logger(label: "ferry-itest")
        logger.logLevel = .warning
        var http = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        http.loopCount = 2
        http.lingerTimeout = .milliseconds(200)
        var configuration = FerryServer.Configuration(
            http: http, retentionCheckIntervalMilliseconds: 60_000, shutdownGracePeriod: .seconds(3))
        configure(&configuration)
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
    let server = try TestServer(flushPolicy: flushPolicy, configure: configure)
    do {
        let result = try await body(server, server.client)
        server.stop()
        return result
    } catch {
        server.stop()
        throw error
    }
}
