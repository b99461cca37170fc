import ArgumentParser
import CFerryLinux
import Dispatch
import FerryAPI
import FerryBroker
import FerryLog
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `ferry serve`: runs the server on the embedded log until SIGTERM/SIGINT.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Ferry server (embedded storage).")

    @OptionGroup var options: ServeOptions

    func run() throws {
        let level = Logger.Level(rawValue: options.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ferry")
        // Fetch responses and produce bodies are megabyte-sized buffers allocated per request: with glibc's
        // defaults each one is a fresh mmap (page faults, zeroing, munmap). Keeping them on the heap and not
        // trimming it eagerly took fetch CPU down by about a third in Benchmarks/api-bench.sh.
        _ = cferry_tune_malloc_for_large_buffers()
        let storage: EmbeddedStorageEngine
        do {
            storage = try EmbeddedStorageEngine(dataDirectory: options.dataDir, flushPolicy: options.flushPolicy, logger: logger)
        } catch {
            throw ValidationError("cannot open data dir \(options.dataDir): \(error)")
        }
        var configuration = FerryServer.Configuration(http: options.httpConfiguration)
        if let path = options.authFilePath {
            let access: AccessControl
            do {
                access = try AccessControl(path: path)
            } catch {
                throw ValidationError(error.description)
            }
            configuration.accessControl = access
            logger.info("access control on", metadata: ["auth_file": "\(path)", "tokens": "\(access.tokenCount)"])
        }
        configuration.broker.autoCreateTopics = options.autoCreateTopics
        configuration.retentionCheckIntervalMilliseconds = options.retentionCheckIntervalMs
        let server = try FerryServer(configuration: configuration, storage: storage, logger: logger)
        try server.start()
        logger.info(
            "ferry listening on http://\(options.host):\(server.port) (data in \(options.dataDir), fsync \(options.fsync.rawValue))")

        let reload = Self.reloadOnHangup(configuration.accessControl, logger: logger)
        let done = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                logger.info("shutting down")
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
