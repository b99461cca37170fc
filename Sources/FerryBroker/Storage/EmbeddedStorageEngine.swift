import FerryLog
import Logging

/// ``StorageEngine`` over Ferry's own partition log (`FerryLog.LogManager`): one folder per topic-partition
/// under `<dataDirectory>/topics`, metadata in `topic.json` beside the partitions.
///
/// Value formats: a value produced as raw bytes is flagged raw in its record (``RecordInput/isRawValue``); data
/// written before that flag marks it with one internal header with an empty name (users cannot send empty
/// header names), which reads strip. Thread-safe.
public final class EmbeddedStorageEngine: StorageEngine {
    public let manager: LogManager
    let flushPolicy: FlushPolicy
    let logger: Logger
    /// Whether appends find the disk full (see ``StorageSpace``), shared by every partition.
    let space: StorageSpace
    public var storageSpace: StorageSpace? { space }

    /// Opens (and recovers) the data directory, first renaming internal topics of an older data dir
    /// (``Broker/legacyInternalTopics``). Blocks on disk I/O.
    public init(
        dataDirectory: String, flushPolicy: FlushPolicy, logger: Logger, maxMappedSegments: Int = 512,
        clock: (@Sendable () -> Int64)? = nil
    ) throws(BrokerError) {
        self.flushPolicy = flushPolicy
        self.logger = logger
        self.space = StorageSpace(logger: logger)
        do {
            let renamed = try LogManager.renameTopics(in: dataDirectory, Broker.legacyInternalTopics)
            if !renamed.isEmpty { logger.info("renamed internal topics", metadata: ["renamed": "\(renamed)"]) }
            if let clock {
                manager = try LogManager(
                    dataDirectory: dataDirectory, maxMappedSegments: maxMappedSegments, clock: clock)
            } else {
                manager = try LogManager(dataDirectory: dataDirectory, maxMappedSegments: maxMappedSegments)
            }
        } catch {
            throw Self.map(error, topic: nil)
        }
        let report = manager.startupReport
        let repaired = report.truncatedBytes > 0 || report.rebuiltIndexes > 0 || !report.skippedDirectories.isEmpty
        var metadata: Logger.Metadata = [
            "topics": "\(report.topics)", "partitions": "\(report.partitions)", "segments": "\(report.segments)",
            "segments_checked": "\(report.checkedSegments)", "truncated_bytes": "\(report.truncatedBytes)",
            "rebuilt_indexes": "\(report.rebuiltIndexes)", "scanned_bytes": "\(report.scannedBytes)",
        ]
        if !report.skippedDirectories.isEmpty { metadata["skipped"] = "\(report.skippedDirectories)" }
        logger.log(level: repaired ? .warning : .info, "recovered data directory", metadata: metadata)
    }

    public func loadTopics() throws(BrokerError) -> [TopicMetadata] {
        manager.topicNames.compactMap { name in
            guard let stored = manager.topic(name) else { return nil }
            var config = TopicConfig()
            config.retentionMs = stored.configuration.retentionMilliseconds
            config.retentionBytes = stored.configuration.retentionBytes
            config.segmentBytes = Int64(stored.configuration.segmentBytes)
            config.maxMessageBytes = Int64(
                stored.attributes["max_message_bytes"].flatMap { Int($0) }
                    ?? stored.configuration.maxMessageBytes)
            config.cleanupPolicy = stored.attributes["cleanup_policy"] ?? "delete"
            return TopicMetadata(
                name: name, partitionCount: stored.partitionCount, config: config, createdAt: stored.createdAt)
        }
    }

    public func createTopic(_ metadata: TopicMetadata) throws(BrokerError) {
        do {
            try manager.createTopic(
                metadata.name, partitions: metadata.partitionCount,
                configuration: logConfiguration(metadata.config, topic: metadata.name),
                attributes: attributes(metadata.config))
        } catch {
            throw Self.map(error, topic: metadata.name)
        }
    }

    public func updateTopic(_ metadata: TopicMetadata) throws(BrokerError) {
        do {
            try manager.addPartitions(topic: metadata.name, count: metadata.partitionCount)
            try manager.updateTopic(
                metadata.name, configuration: logConfiguration(metadata.config, topic: metadata.name),
                attributes: attributes(metadata.config))
        } catch {
            throw Self.map(error, topic: metadata.name)
        }
    }

    public func deleteTopic(_ name: String) throws(BrokerError) {
        do {
            try manager.deleteTopic(name)
        } catch {
            throw Self.map(error, topic: name)
        }
    }

    public func partition(topic: String, partition: Int) -> (any PartitionStorage)? {
        manager.partition(topic: topic, partition: partition).map {
            EmbeddedPartition(log: $0, topic: topic, space: space)
        }
    }

    public func enforceRetention(nowMilliseconds: Int64) {
        let report = manager.enforceRetention(nowMilliseconds: nowMilliseconds)
        // Pages of sealed segments that lagging readers touched would otherwise stay in RSS until eviction.
        manager.releaseResidentPages()
        if report.deletedSegments > 0 {
            logger.info(
                "retention deleted segments",
                metadata: ["segments": "\(report.deletedSegments)", "bytes": "\(report.deletedBytes)"])
        }
    }

    public func shutdown() { manager.shutdown() }

    public func observeSyncs(_ observer: @escaping @Sendable (_ nanoseconds: UInt64) -> Void) {
        manager.environment.observeSyncs(observer)
    }

    func logConfiguration(_ config: TopicConfig, topic: String) -> LogConfiguration {
        var configuration = LogConfiguration()
        // Internal journals are only ever read from their start (replay): a sparse index entry per 256 KiB
        // instead of per 4 KiB keeps their in-memory index 64× smaller while they grow.
        if ResourceName.isInternalTopic(topic) { configuration.indexIntervalBytes = 256 << 10 }
        configuration.segmentBytes = Int(config.segmentBytes)
        configuration.retentionMilliseconds = config.retentionMs
        configuration.retentionBytes = config.retentionBytes
        // The broker checks key + value + headers against max_message_bytes; the log's own bound leaves room
        // for the record framing so it never refuses what the broker accepted.
        configuration.maxMessageBytes = Int(config.maxMessageBytes) + 65_536
        configuration.flushPolicy = flushPolicy
        // At most one segment ahead, but never under the log's 4 KiB minimum (segment_bytes may be 1024).
        configuration.preallocationBytes = max(4096, min(configuration.preallocationBytes, Int(config.segmentBytes)))
        return configuration
    }

    func attributes(_ config: TopicConfig) -> [String: String] {
        ["cleanup_policy": config.cleanupPolicy, "max_message_bytes": String(config.maxMessageBytes)]
    }

    static func map(_ error: LogError, topic: String?) -> BrokerError {
        switch error {
        case .diskFull: return .insufficientStorage("no space left on device")
        case .topicExists(let name): return .topicExists(name)
        case .topicNotFound(let name): return .topicNotFound(name)
        case .invalidTopicName(let name): return .invalidTopicName(name)
        case .invalidPartitionCount(let count): return .invalidPartitions("invalid partition count \(count)")
        case .invalidConfiguration(let reason): return .invalidConfig(reason)
        case .offsetOutOfRange(let requested, let start, let next):
            return .offsetOutOfRange(requested: requested, startOffset: start, endOffset: next)
        case .messageTooLarge(let size, let maximum): return .messageTooLarge(index: 0, bytes: size, limit: maximum)
        case .closed: return topic.map { .topicNotFound($0) } ?? .unavailable("storage is closed")
        default: return .internal(error.description)
        }
    }
}
