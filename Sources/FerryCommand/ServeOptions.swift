import ArgumentParser
import FerryBroker
import FerryHTTP
import FerryLog
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `ferry serve` flags (API.md "Server flags"); each also reads a `FERRY_*` environment variable.
struct ServeOptions: ParsableArguments {
    @Option(help: "Address to bind (env FERRY_HOST).")
    var host: String = env("FERRY_HOST") ?? "127.0.0.1"

    @Option(help: "TCP port, 0 for any free one (env FERRY_PORT).")
    var port: Int = env("FERRY_PORT").flatMap { Int($0) } ?? 8080

    @Option(help: "Where topics and internal state live (env FERRY_DATA_DIR).")
    var dataDir: String = env("FERRY_DATA_DIR") ?? "./data"

    @Option(help: "always | interval | never (env FERRY_FSYNC).")
    var fsync: FsyncMode = env("FERRY_FSYNC").flatMap { FsyncMode(rawValue: $0) } ?? .interval

    @Option(help: "Flush period for --fsync interval (env FERRY_FSYNC_INTERVAL_MS).")
    var fsyncIntervalMs: Int = env("FERRY_FSYNC_INTERVAL_MS").flatMap { Int($0) } ?? 200

    @Flag(inversion: .prefixedNo, help: "Create missing topics on produce (env FERRY_AUTO_CREATE_TOPICS).")
    var autoCreateTopics: Bool = env("FERRY_AUTO_CREATE_TOPICS").map { $0 != "false" && $0 != "0" } ?? true

    @Option(help: "Largest request body; larger → 413 before it is read (env FERRY_MAX_BODY_BYTES).")
    var maxBodyBytes: Int = env("FERRY_MAX_BODY_BYTES").flatMap { Int($0) } ?? 67_108_864

    @Option(help: "Connections over this get 503 and are closed (env FERRY_MAX_CONNECTIONS).")
    var maxConnections: Int = env("FERRY_MAX_CONNECTIONS").flatMap { Int($0) } ?? 10_000

    @Option(help: "Time to send a complete header block (env FERRY_HEADER_TIMEOUT_MS).")
    var headerTimeoutMs: Int = env("FERRY_HEADER_TIMEOUT_MS").flatMap { Int($0) } ?? 10_000

    @Option(help: "Idle keep-alive connections are closed after this (env FERRY_IDLE_TIMEOUT_MS).")
    var idleTimeoutMs: Int = env("FERRY_IDLE_TIMEOUT_MS").flatMap { Int($0) } ?? 60_000

    @Option(help: "How often retention runs (env FERRY_RETENTION_CHECK_INTERVAL_MS).")
    var retentionCheckIntervalMs: Int = env("FERRY_RETENTION_CHECK_INTERVAL_MS").flatMap { Int($0) } ?? 5_000

    @Option(help: "Event-loop threads; 0 = one per core (env FERRY_LOOPS).")
    var loops: Int = env("FERRY_LOOPS").flatMap { Int($0) } ?? 0

    @Option(help: "Bearer tokens (JSON); enables access control, re-read on SIGHUP (env FERRY_AUTH_FILE).")
    var authFile: String?

    @Option(help: "trace | debug | info | notice | warning | error | critical (env FERRY_LOG_LEVEL).")
    var logLevel: String = env("FERRY_LOG_LEVEL") ?? "info"

    enum FsyncMode: String, ExpressibleByArgument, Sendable {
        case always, interval, never
    }

    /// `--auth-file`, else `FERRY_AUTH_FILE`; nil: access control off.
    var authFilePath: String? { authFile ?? Self.env("FERRY_AUTH_FILE") }

    static func env(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard fsyncIntervalMs >= 1 else { throw ValidationError("--fsync-interval-ms must be >= 1") }
        guard maxBodyBytes >= 1 else { throw ValidationError("--max-body-bytes must be >= 1") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be >= 1") }
        guard headerTimeoutMs >= 1, idleTimeoutMs >= 1 else { throw ValidationError("timeouts must be >= 1 ms") }
        guard retentionCheckIntervalMs >= 1 else { throw ValidationError("--retention-check-interval-ms must be >= 1") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
    }

    var flushPolicy: FlushPolicy {
        switch fsync {
        case .always: .always
        case .interval: .interval(milliseconds: fsyncIntervalMs)
        case .never: .never
        }
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
