import ArgumentParser
import CFerryLinux
import Dispatch
import FerryAPI
import FerryBroker
import FerryDelivery
import FerryKafkaListener
import FerryLog
import FerryLogging
import FerryServer
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// `ferry serve`: runs the server on the embedded log until SIGTERM/SIGINT.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Ferry server (embedded storage, or --storage kafka over a Kafka cluster).",
        discussion: """
            Every flag can also be set with the environment variable named after it (FERRY_ + the flag in \
            upper snake case, shown in each flag's help); a flag given on the command line wins. A value that \
            does not parse, in a flag or a variable, stops start-up with one line on stderr and exit code 64.

            Signals: SIGTERM/SIGINT stop gracefully (held requests answered, in-flight ones finished, data \
            flushed); SIGHUP re-reads --auth-file (a bad file keeps the previous tokens).

            Logs go to stderr, one line per record (logfmt or JSON); --log-level debug adds one access-log \
            line per request (request id, method, route, status, bytes in/out, duration).
            """)

    @OptionGroup var options: ServeOptions

    func run() throws {
        let level = options.logLevel.level
        let format = options.logFormat.format
        LoggingSystem.bootstrap { label in FerryLogHandler(label: label, format: format, level: level) }
        let logger = Logger(label: "ferry")
        // A bad auth file stops start-up before anything else is logged or opened.
        var accessControl: AccessControl?
        if let path = options.authFilePath {
            do {
                accessControl = try AccessControl(path: path)
            } catch {
                throw ValidationError(error.description)
            }
        }
        var startup: Logger.Metadata = [
            "version": "\(Ferry.version)", "storage": "\(options.storage.rawValue)", "data_dir": "\(options.dataDir)",
            "fsync": "\(options.fsync.rawValue)",
            "auth": "\(options.authFilePath == nil ? "off" : "on")", "log_level": "\(options.logLevel.rawValue)",
        ]
        if options.fsync == .interval { startup["fsync_interval_ms"] = "\(options.fsyncIntervalMs)" }
        if let accessControl { startup["tokens"] = "\(accessControl.tokenCount)" }
        logger.info("ferry starting", metadata: startup)
        // Fetch responses and produce bodies are megabyte-sized buffers allocated per request: with glibc's
        // defaults each one is a fresh mmap (page faults, zeroing, munmap). Keeping them on the heap and not
        // trimming it eagerly took fetch CPU down by about a third in Benchmarks/api-bench.sh.
        _ = cferry_tune_malloc_for_large_buffers()
        // A file-size limit (`ulimit -f`) must refuse a write with EFBIG (→ 507 insufficient-storage), not kill
        // the process with SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        let storage = try StorageChoice.open(options, logger: logger)
        var configuration = FerryServer.Configuration(http: options.httpConfiguration)
        configuration.accessControl = accessControl
        configuration.broker.autoCreateTopics = options.autoCreateTopics
        configuration.retentionCheckIntervalMilliseconds = options.retentionCheckIntervalMs
        configuration.webhooks.denyPrivateNetworks = options.webhookDenyPrivate
        configuration.clusterName = options.clusterName
        configuration.shardAssigner = storage.shardAssigner
        configuration.broker.stateShards = storage.shardAssigner == nil ? 1 : options.stateShards
        configuration.nodeID = options.nodeID.isEmpty ? Self.defaultNodeID(port: options.port) : options.nodeID
        configuration.advertiseURL = options.advertiseURL
        configuration.kafka = options.kafkaListenerConfiguration
        configuration.kafkaAdvertise = options.kafkaAdvertiseAddress
        let server = try FerryServer(configuration: configuration, storage: storage.engine, logger: logger)
        let reload = Self.reloadOnHangup(accessControl, logger: logger)
        try server.start()
        logger.info(
            "ferry listening on http://\(options.host):\(server.port)",
            metadata: [
                "host": "\(options.host)", "port": "\(server.port)", "version": "\(Ferry.version)",
                "data_dir": "\(options.dataDir)", "fsync": "\(options.fsync.rawValue)",
            ])
        if let kafka = server.kafka {
            logger.info(
                "ferry speaking Kafka on \(options.host):\(kafka.port)", metadata: ["kafka_port": "\(kafka.port)"])
        }

        let done = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                logger.info("shutting down")
                // Last resort: a storage that cannot be reached (a Kafka cluster gone) must not keep the process
                // alive for good.
                DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Self.shutdownLimitSeconds)) {
                    logger.error(
                        "shutdown did not finish in time; exiting",
                        metadata: ["seconds": "\(Self.shutdownLimitSeconds)"])
                    Glibc.exit(1)
                }
                server.shutdown()
                done.signal()
            }
            source.resume()
            sources.append(source)
        }
        done.wait()
        logger.info("stopped")
        _ = sources
        _ = reload
        withExtendedLifetime(storage) {}
    }

    /// How long SIGTERM may take before the process exits anyway.
    static let shutdownLimitSeconds = 30

    /// `<hostname>-<port>`: stable across restarts of the same gateway.
    static func defaultNodeID(port: Int) -> String {
        var name = [CChar](repeating: 0, count: 256)
        let host =
            gethostname(&name, name.count - 1) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "ferry"
        return "\(host)-\(port)"
    }

    /// SIGHUP re-reads the auth file: new tokens apply to the next request, open connections stay. A bad file
    /// keeps the old tokens and logs an error.
    static func reloadOnHangup(_ access: AccessControl?, logger: Logger) -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            guard let access else {
                logger.notice("SIGHUP ignored: no --auth-file")
                return
            }
            do {
                let count = try access.reload()
                logger.info("auth file reloaded", metadata: ["auth_file": "\(access.path)", "tokens": "\(count)"])
            } catch {
                logger.error("auth file reload failed; keeping the previous tokens", metadata: ["error": "\(error)"])
            }
        }
        source.resume()
        return source
    }
}
