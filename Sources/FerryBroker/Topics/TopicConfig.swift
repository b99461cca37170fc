/// A topic's settings, with the API's keys and defaults (API.md "Topics"). A value type; validated on input.
public struct TopicConfig: Sendable, Equatable {
    /// Delete closed segments whose newest record is older than this; -1 keeps them forever. Default 7 days.
    public var retentionMs: Int64 = 604_800_000
    /// Per partition: delete the oldest closed segments while the partition is larger; -1 = no limit.
    public var retentionBytes: Int64 = -1
    /// Roll to a new segment at this size (≥ 1024). Default 128 MiB.
    public var segmentBytes: Int64 = 134_217_728
    /// The largest message (key + value + headers) accepted. Default 1 MiB.
    public var maxMessageBytes: Int64 = 1_048_576
    /// Only `delete` is supported.
    public var cleanupPolicy: String = "delete"

    public init() {}

    /// The JSON keys, in the order the API shows them.
    public static let keys = [
        "retention_ms", "retention_bytes", "segment_bytes", "max_message_bytes", "cleanup_policy",
    ]

    /// Sets one integer key after checking its range; throws `invalidConfig` naming the key.
    public mutating func set(_ key: String, integer value: Int64) throws(BrokerError) {
        switch key {
        case "retention_ms":
            guard value == -1 || value >= 1 else { throw .invalidConfig("retention_ms must be -1 or >= 1") }
            retentionMs = value
        case "retention_bytes":
            guard value == -1 || value >= 1 else { throw .invalidConfig("retention_bytes must be -1 or >= 1") }
            retentionBytes = value
        case "segment_bytes":
            guard value >= 1024 && value <= 1 << 30 else {
                throw .invalidConfig("segment_bytes must be between 1024 and 1073741824")
            }
            segmentBytes = value
        case "max_message_bytes":
            guard value >= 1 && value <= 67_108_864 else {
                throw .invalidConfig("max_message_bytes must be between 1 and 67108864")
            }
            maxMessageBytes = value
        case "cleanup_policy":
            throw .invalidConfig("cleanup_policy must be a string")
        default:
            throw .invalidConfig("unknown config key '\(key)'")
        }
    }

    /// Sets one key back to its value in `defaults`; throws `invalidConfig` for an unknown key.
    public mutating func reset(_ key: String, to defaults: TopicConfig) throws(BrokerError) {
        switch key {
        case "retention_ms": retentionMs = defaults.retentionMs
        case "retention_bytes": retentionBytes = defaults.retentionBytes
        case "segment_bytes": segmentBytes = defaults.segmentBytes
        case "max_message_bytes": maxMessageBytes = defaults.maxMessageBytes
        case "cleanup_policy": cleanupPolicy = defaults.cleanupPolicy
        default: throw .invalidConfig("unknown config key '\(key)'")
        }
    }

    /// Sets one string key; throws `invalidConfig` naming the key.
    public mutating func set(_ key: String, string value: String) throws(BrokerError) {
        switch key {
        case "cleanup_policy":
            guard value == "delete" else { throw .invalidConfig("cleanup_policy must be 'delete'") }
            cleanupPolicy = value
        case "retention_ms", "retention_bytes", "segment_bytes", "max_message_bytes":
            throw .invalidConfig("\(key) must be an integer")
        default:
            throw .invalidConfig("unknown config key '\(key)'")
        }
    }
}

/// A topic as the broker knows it; persisted by the storage engine.
public struct TopicMetadata: Sendable, Equatable {
    public var name: String
    public var partitionCount: Int
    public var config: TopicConfig
    /// Milliseconds since the Unix epoch.
    public var createdAt: Int64

    public init(name: String, partitionCount: Int, config: TopicConfig, createdAt: Int64) {
        self.name = name
        self.partitionCount = partitionCount
        self.config = config
        self.createdAt = createdAt
    }
}
