import Logging

/// Ferry's one swift-log handler: every record becomes exactly one line (``LogLine``) in logfmt or JSON,
/// written to a ``LogSink`` (standard error by default).
///
/// A value type as swift-log requires (each `Logger` copy has its own level and metadata). Thread-safe: the
/// sink serialises writes. Blocks only while the sink's descriptor is full.
///
/// ```swift
/// LoggingSystem.bootstrap { label in FerryLogHandler(label: label, format: .json, level: .info) }
/// ```
public struct FerryLogHandler: LogHandler {
    public let label: String
    public let format: LogFormat
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let sink: any LogSink
    let clock: @Sendable () -> (seconds: Int, nanoseconds: Int)

    /// - Parameters:
    ///   - sink: where lines go (standard error by default; tests capture them).
    ///   - clock: wall-clock time for `ts` (injected so tests get fixed timestamps).
    public init(
        label: String, format: LogFormat = .logfmt, level: Logger.Level = .info,
        sink: any LogSink = FileDescriptorSink.standardError,
        clock: @escaping @Sendable () -> (seconds: Int, nanoseconds: Int) = LogTimestamp.now
    ) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.sink = sink
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
        let now = clock()
        let line = LogLine.format(
            format, timestamp: LogTimestamp.format(seconds: now.seconds, nanoseconds: now.nanoseconds),
            level: event.level, label: label, message: event.message.description, metadata: merged)
        sink.write(line)
    }
}
