import ArgumentParser
import FerryBroker
import FerryHTTP
import FerryKafkaListener
import FerryLog
import FerryLogging
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// `ferry serve` flags (API.md "Server flags"); each also reads a `FERRY_*` environment variable (the flag
/// wins; a variable that does not parse stops start-up, see ``EnvironmentDefault``).
struct ServeOptions: ParsableArguments {
    @Option(help: "Address to bind (env FERRY_HOST).")
    var host: String = EnvironmentDefault.value("FERRY_HOST", "127.0.0.1")

    @Option(help: "TCP port, 0 for any free one (env FERRY_PORT).")
    var port: Int = EnvironmentDefault.value("FERRY_PORT", 8080)

    @Option(help: "embedded | kafka: where topics and messages live (env FERRY_STORAGE).")
    var storage: StorageKind = EnvironmentDefault.value("FERRY_STORAGE", StorageKind.embedded)

    @Option(help: "Kafka bootstrap servers HOST:PORT[,HOST:PORT...] for --storage kafka (env FERRY_KAFKA_BOOTSTRAP).")
    var kafkaBootstrap: String = EnvironmentDefault.raw("FERRY_KAFKA_BOOTSTRAP") ?? ""

    @Option(
        help:
            "A librdkafka setting key=value for --storage kafka, repeatable (env FERRY_KAFKA_CONFIG, comma-separated)."
    )
    var kafkaConfig: [String] =
        EnvironmentDefault.raw("FERRY_KAFKA_CONFIG").map { text in
            text.split(separator: ",").map(String.init)
        } ?? []

    @Option(help: .hidden)
    var kafkaMockBrokers: Int32 = 0

    @Option(help: "Also speak the Kafka protocol on this TCP port; -1 = off (env FERRY_KAFKA_PORT; default off).")
    var kafkaPort: Int = EnvironmentDefault.value("FERRY_KAFKA_PORT", -1)

    @Option(
        help: "HOST:PORT Kafka clients are told to connect to (env FERRY_KAFKA_ADVERTISE; default host:kafka-port).")
    var kafkaAdvertise: String = EnvironmentDefault.raw("FERRY_KAFKA_ADVERTISE") ?? ""

    @Option(help: "Gateways on one Kafka cluster with the same name form one Ferry (env FERRY_CLUSTER_NAME).")
    var clusterName: String = EnvironmentDefault.value("FERRY_CLUSTER_NAME", "ferry")

    @Option(help: "This gateway's id in its cluster, stable across restarts (env FERRY_NODE_ID; default host-port).")
    var nodeID: String = EnvironmentDefault.raw("FERRY_NODE_ID") ?? ""

    @Option(
        help: "Where the other gateways reach this one (env FERRY_ADVERTISE_URL; default http://<host>:<port>).")
    var advertiseURL: String = EnvironmentDefault.raw("FERRY_ADVERTISE_URL") ?? ""

    /// How many shards Ferry's own state is split into when a Kafka cluster has none yet.
    @Option(help: .hidden)
    var stateShards: Int = 16

    /// How long Kafka waits for a silent gateway before its shards move (the failover time).
    @Option(help: .hidden)
    var clusterSessionTimeoutMs: Int = EnvironmentDefault.value("FERRY_CLUSTER_SESSION_TIMEOUT_MS", 10_000)

    @Option(help: "Where topics and internal state live (env FERRY_DATA_DIR).")
    var dataDir: String = EnvironmentDefault.value("FERRY_DATA_DIR", "./data")

    @Option(help: "always | interval | never (env FERRY_FSYNC).")
    var fsync: FsyncMode = EnvironmentDefault.value("FERRY_FSYNC", FsyncMode.interval)

    @Option(help: "Flush period for --fsync interval (env FERRY_FSYNC_INTERVAL_MS).")
    var fsyncIntervalMs: Int = EnvironmentDefault.value("FERRY_FSYNC_INTERVAL_MS", 200)

    @Flag(inversion: .prefixedNo, help: "Create missing topics on produce (env FERRY_AUTO_CREATE_TOPICS).")
    var autoCreateTopics: Bool = EnvironmentDefault.bool("FERRY_AUTO_CREATE_TOPICS", true)

    @Option(help: "Largest request body; larger → 413 before it is read (env FERRY_MAX_BODY_BYTES).")
    var maxBodyBytes: Int = EnvironmentDefault.value("FERRY_MAX_BODY_BYTES", 67_108_864)

    @Option(help: "Connections over this get 503 and are closed (env FERRY_MAX_CONNECTIONS).")
    var maxConnections: Int = EnvironmentDefault.value("FERRY_MAX_CONNECTIONS", 10_000)

    @Option(help: "Time to send a complete header block (env FERRY_HEADER_TIMEOUT_MS).")
    var headerTimeoutMs: Int = EnvironmentDefault.value("FERRY_HEADER_TIMEOUT_MS", 10_000)

    @Option(help: "Idle keep-alive connections are closed after this (env FERRY_IDLE_TIMEOUT_MS).")
    var idleTimeoutMs: Int = EnvironmentDefault.value("FERRY_IDLE_TIMEOUT_MS", 60_000)

    @Option(help: "How often retention runs (env FERRY_RETENTION_CHECK_INTERVAL_MS).")
    var retentionCheckIntervalMs: Int = EnvironmentDefault.value("FERRY_RETENTION_CHECK_INTERVAL_MS", 5_000)

    @Flag(
        help:
            "Refuse webhook URLs resolving to private, loopback or link-local addresses, at create and at delivery time (env FERRY_WEBHOOK_DENY_PRIVATE)."
    )
    var webhookDenyPrivate: Bool =
        env("FERRY_WEBHOOK_DENY_PRIVATE").map { $0 != "false" && $0 != "0" && !$0.isEmpty } ?? false

    @Option(help: "Event-loop threads; 0 = one per core (env FERRY_LOOPS).")
    var loops: Int = EnvironmentDefault.value("FERRY_LOOPS", 0)

    @Option(help: "Bearer tokens (JSON); enables access control, re-read on SIGHUP (env FERRY_AUTH_FILE).")
    var authFile: String?

    @Option(help: "logfmt | json: one line per record on stderr (env FERRY_LOG_FORMAT).")
    var logFormat: LogFormatOption = EnvironmentDefault.value("FERRY_LOG_FORMAT", LogFormatOption.logfmt)

    @Option(help: "trace | debug | info | notice | warning | error | critical (env FERRY_LOG_LEVEL).")
    var logLevel: LogLevelOption = EnvironmentDefault.value("FERRY_LOG_LEVEL", LogLevelOption.info)

    enum StorageKind: String, ExpressibleByArgument, CaseIterable, Sendable {
        case embedded, kafka
    }

    enum FsyncMode: String, ExpressibleByArgument, CaseIterable, Sendable {
        case always, interval, never
    }

    enum LogFormatOption: String, ExpressibleByArgument, CaseIterable, Sendable {
        case logfmt, json
        var format: LogFormat { self == .json ? .json : .logfmt }
    }

    enum LogLevelOption: String, ExpressibleByArgument, CaseIterable, Sendable {
        case trace, debug, info, notice, warning, error, critical
        var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
    }

    /// `--auth-file`, else `FERRY_AUTH_FILE` (empty: unset); nil: access control off.
    var authFilePath: String? { authFile ?? Self.env("FERRY_AUTH_FILE").flatMap { $0.isEmpty ? nil : $0 } }

    static func env(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    func validate() throws {
        if let problem = EnvironmentDefault.firstProblem { throw ValidationError(problem) }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard fsyncIntervalMs >= 1 else { throw ValidationError("--fsync-interval-ms must be >= 1") }
        guard maxBodyBytes >= 1 else { throw ValidationError("--max-body-bytes must be >= 1") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be >= 1") }
        guard headerTimeoutMs >= 1, idleTimeoutMs >= 1 else { throw ValidationError("timeouts must be >= 1 ms") }
        guard retentionCheckIntervalMs >= 1 else { throw ValidationError("--retention-check-interval-ms must be >= 1") }
        guard loops >= 0 else { throw ValidationError("--loops must be >= 0") }
        guard (1...1024).contains(stateShards) else { throw ValidationError("--state-shards must be 1...1024") }
        guard clusterSessionTimeoutMs >= 1_000 else {
            throw ValidationError("--cluster-session-timeout-ms must be >= 1000")
        }
        guard !clusterName.isEmpty, clusterName.utf8.count <= 200 else {
            throw ValidationError("--cluster-name must be 1 to 200 bytes")
        }
        if !advertiseURL.isEmpty, !(advertiseURL.hasPrefix("http://") || advertiseURL.hasPrefix("https://")) {
            throw ValidationError("--advertise-url must be an http:// or https:// URL")
        }
        if storage == .kafka && kafkaBootstrap.isEmpty && kafkaMockBrokers <= 0 {
            throw ValidationError("--storage kafka needs --kafka-bootstrap HOST:PORT (or FERRY_KAFKA_BOOTSTRAP)")
        }
        guard (-1...65535).contains(kafkaPort) else { throw ValidationError("--kafka-port must be 0...65535") }
        if !kafkaAdvertise.isEmpty, kafkaAdvertiseAddress == nil {
            throw ValidationError("--kafka-advertise must be HOST:PORT")
        }
        if let path = authFilePath, access(path, R_OK) != 0 {
            throw ValidationError("cannot read --auth-file \(path): \(String(cString: strerror(errno)))")
        }
    }

    var flushPolicy: FlushPolicy {
        switch fsync {
        case .always: .always
        case .interval: .interval(milliseconds: fsyncIntervalMs)
        case .never: .never
        }
    }

    /// `--kafka-advertise` split into host and port (nil when unset or not HOST:PORT).
    var kafkaAdvertiseAddress: (host: String, port: Int)? {
        guard let colon = kafkaAdvertise.lastIndex(of: ":"),
            let port = Int(kafkaAdvertise[kafkaAdvertise.index(after: colon)...]), (1...65535).contains(port)
        else { return nil }
        let host = String(kafkaAdvertise[..<colon])
        return host.isEmpty ? nil : (host, port)
    }

    /// The Kafka-protocol listener's settings, nil when `--kafka-port` is not given.
    var kafkaListenerConfiguration: KafkaListenerConfiguration? {
        guard kafkaPort >= 0 else { return nil }
        return KafkaListenerConfiguration(
            host: host, port: kafkaPort, loopCount: loops > 0 ? loops : HTTPServer.Configuration().loopCount,
            maxConnections: maxConnections)
    }

    var httpConfiguration: HTTPServer.Configuration {
        var configuration = HTTPServer.Configuration(host: host, port: port)
        if loops > 0 { configuration.loopCount = loops }
        configuration.maxBodyBytes = maxBodyBytes
        configuration.maxConnections = maxConnections
        configuration.headerTimeout = .milliseconds(headerTimeoutMs)
        configuration.idleTimeout = .milliseconds(idleTimeoutMs)
        return configuration
    }
}
