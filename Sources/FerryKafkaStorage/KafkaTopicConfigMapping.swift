import FerryBroker
import FerryKafka

/// Ferry's topic settings as Kafka topic configs, and back.
enum KafkaTopicConfigMapping {
    static func kafkaConfigs(_ config: TopicConfig) -> [String: String] {
        [
            "retention.ms": String(config.retentionMs), "retention.bytes": String(config.retentionBytes),
            "segment.bytes": String(config.segmentBytes), "max.message.bytes": String(config.maxMessageBytes),
            "cleanup.policy": config.cleanupPolicy,
        ]
    }

    /// The config described by the cluster, with Ferry's defaults for what it did not say.
    static func topicConfig(_ entries: [String: KafkaConfigEntry], defaults: TopicConfig = TopicConfig()) -> TopicConfig
    {
        var config = defaults
        func integer(_ name: String) -> Int64? { entries[name]?.value.flatMap { Int64($0) } }
        config.retentionMs = integer("retention.ms") ?? config.retentionMs
        config.retentionBytes = integer("retention.bytes") ?? config.retentionBytes
        config.segmentBytes = integer("segment.bytes") ?? config.segmentBytes
        config.maxMessageBytes = integer("max.message.bytes") ?? config.maxMessageBytes
        config.cleanupPolicy = entries["cleanup.policy"]?.value ?? config.cleanupPolicy
        return config
    }
}
