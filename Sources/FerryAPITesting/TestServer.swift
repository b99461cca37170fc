import FerryAPI
import FerryBroker
import FerryDelivery
import FerryHTTP
import FerryKafka
import FerryKafkaStorage
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
    /// The mock cluster under a ``APITestMode/kafka`` server (nil otherwise): tests use it to create topics
    /// behind the server's back, inject errors, move leaders and stop brokers.
    public let mockCluster: KafkaMockCluster?

    /// The port it listens on. Live mode only (traps in process: nothing listens).
    public var port: Int {
        precondition(mode != .inProcess, "an in-process test server does not listen")
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
            let storage: any StorageEngine
            if mode == .kafka {
                let cluster = try KafkaMockCluster(brokers: 3)
                mockCluster = cluster
                storage = try KafkaStorageEngine(options: Self.kafkaOptions(cluster, logger: logger))
            } else {
                mockCluster = nil
                storage = try EmbeddedStorageEngine(
                    dataDirectory: directory.path, flushPolicy: flushPolicy, logger: logger)
            }
            server = try FerryServer(configuration: configuration, storage: storage, logger: logger)
            runner = InProcessRunner(router: server.api.makeRouter())
            switch mode {
            case .live, .kafka:
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

    /// Storage options for a server on `cluster`: topics created with the mock's own call (it does not answer
    /// CreateTopics), and a 10 s request bound so a test of an unreachable cluster ends soon.
    public static func kafkaOptions(_ cluster: KafkaMockCluster, logger: Logger) -> KafkaStorageOptions {
        var options = KafkaStorageOptions(kafka: cluster.configuration(), logger: logger)
        options.requestTimeout = .seconds(10)
        options.readerThreads = 2
        options.topicCreator = { name, partitions, _ throws(KafkaError) in
            try cluster.createTopic(name, partitions: Int32(clamping: partitions))
        }
        return options
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
