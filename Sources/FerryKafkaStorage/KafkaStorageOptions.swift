import FerryKafka
import Logging

/// How a ``KafkaStorageEngine`` reaches and uses its cluster.
public struct KafkaStorageOptions: Sendable {
    /// The cluster and any librdkafka properties (`--kafka-bootstrap`, `--kafka-config`).
    public var kafka: KafkaConfiguration
    /// The longest a request waits for the cluster (a produce's delivery, an admin call, a read) before it is
    /// answered 503 `unavailable` (API.md: 30 s by default).
    public var requestTimeout: Duration = .seconds(30)
    /// Threads (each with its own librdkafka consumer) serving reads and timestamp lookups.
    public var readerThreads = 4
    /// Replicas of the topics Ferry creates (-1: the cluster's `default.replication.factor`).
    public var replicationFactor: Int32 = -1
    /// How often partitions with a held long-poll ask the cluster for their high watermark (records produced by
    /// others are seen within this plus a round trip; Ferry's own produces wake waiters at once).
    public var waitPollInterval: Duration = .milliseconds(20)
    /// How often the topic list and every partition's watermarks are refreshed.
    public var metadataRefreshInterval: Duration = .seconds(2)
    /// Creates a topic instead of the Admin API's CreateTopics (name, partitions, Kafka topic configs): for
    /// librdkafka's mock cluster, which does not answer CreateTopics. nil: the Admin API.
    public var topicCreator: (@Sendable (String, Int, [String: String]) throws(KafkaError) -> Void)?
    public var logger: Logger

    public init(kafka: KafkaConfiguration, logger: Logger) {
        self.kafka = kafka
        self.logger = logger
    }
}
