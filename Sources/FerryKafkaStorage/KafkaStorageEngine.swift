import FerryBroker
import FerryKafka
import FerrySystem
import Logging
import Synchronization

/// ``StorageEngine`` over an Apache Kafka cluster (or anything speaking its protocol), through librdkafka.
///
/// Topics are the cluster's topics: those that exist when Ferry starts, those Ferry creates (Admin API), and
/// those others create later (found by the refresher every ``KafkaStorageOptions/metadataRefreshInterval``).
/// Kafka keeps messages, replicates them and applies retention; Ferry's flush policy, data dir and retention
/// runs do not apply. Kafka does not tell a partition's size or segments: those are nil.
///
/// Threads: admin calls (`createTopic`, `updateTopic`, `deleteTopic`, `loadTopics`) block the calling thread
/// for up to the request timeout; partition appends and reads never block (see ``KafkaPartition``). One
/// background thread (`kafka-refresh`) keeps topics and watermarks fresh. Thread-safe.
public final class KafkaStorageEngine: StorageEngine {
    let clients: KafkaClients
    let logger: Logger
    let partitions = Mutex<[KafkaTopicPartition: KafkaPartition]>([:])
    /// The cluster's topics as last listed, plus those Ferry created since (kept until a listing shows them).
    let known = Mutex<[String: TopicMetadata]>([:])
    /// Topics Ferry created and the time (monotonic ns) until which a listing without them does not drop them
    /// (a new topic takes a moment to reach every broker's metadata).
    let recentlyCreated = Mutex<[String: UInt64]>([:])
    /// Topics the previous listing lacked (see ``listClusterTopics(timeout:)``).
    let missingOnce = Mutex<Set<String>>([])
    /// nil until the cluster answered DescribeConfigs once; false when it did not (librdkafka's mock cluster):
    /// configs are then not asked again and Ferry's defaults are shown.
    let describesConfigs = Mutex<Bool?>(nil)
    let refresher: Lock<SystemThread?> = Lock(nil)
    /// Committed group offsets on their way to Kafka's group coordinator.
    let groupMirror = Mutex(GroupOffsetMirror())
    let stopping = ConditionLock(false)

    /// Creates the clients (connecting lazily) and starts nothing yet: ``loadTopics()`` (the broker calls it
    /// first) reaches the cluster and starts the refresher. Throws `invalidConfig` for a bad librdkafka property.
    public init(options: KafkaStorageOptions) throws(BrokerError) {
        var options = options
        let logger = options.logger
        options.kafka.forwardLogs(to: logger)
        do {
            try options.kafka.validate()
            clients = try KafkaClients(options: options)
        } catch {
            throw .invalidConfig("Kafka client configuration: \(error)")
        }
        self.logger = logger
    }

    deinit {
        // Not shut down: the refresher (holding only a weak reference) ends at its next turn.
        stopping.withLockThenSignal(broadcast: true) { $0 = true }
        refresher.withLock { thread in
            thread?.detach()
            thread = nil
        }
    }

    public var isAvailable: Bool { clients.reachability.isReachable }

    // MARK: Topics

    /// Lists the cluster's topics and their partitions' watermarks (blocking; start-up), then starts the
    /// refresher. Throws `unavailable` when the cluster cannot be reached within the request timeout.
    public func loadTopics() throws(BrokerError) -> [TopicMetadata] {
        let round = clients.reachability.roundStarts()
        let listed = try listClusterTopics(timeout: clients.options.requestTimeout)
        clients.reachability.roundReachedCluster(round)
        for metadata in listed.values {
            for index in 0..<metadata.partitionCount {
                _ = try? partitionStorage(topic: metadata.name, index: index).refreshBounds()
            }
        }
        startRefresher()
        return Array(listed.values)
    }

    /// The cluster's topics (Kafka's own internal ones left out), with configs when the cluster describes them.
    /// Replaces ``known`` and marks the cluster reachable or not. Blocks up to `timeout` (plus one describe
    /// per new topic).
    @discardableResult
    func listClusterTopics(timeout: Duration) throws(BrokerError) -> [String: TopicMetadata] {
        let topics: [KafkaTopicMetadata]
        do {
            topics = try clients.admin.listTopics(timeout: timeout)
        } catch {
            clients.reachability.noteUnreachable()
            throw .unavailable("cannot reach the Kafka cluster (\(clients.options.kafka.bootstrapServers)): \(error)")
        }
        let before = known.withLock { $0 }
        var listed: [String: TopicMetadata] = [:]
        for topic in topics {
            // A topic the cluster lists with an error (no leader now, say) is still there: keep what is known.
            guard topic.error == nil && topic.partitionCount > 0 else {
                if let known = before[topic.name] { listed[topic.name] = known }
                continue
            }
            var metadata =
                before[topic.name]
                ?? TopicMetadata(
                    name: topic.name, partitionCount: topic.partitionCount, config: describeConfig(topic.name),
                    createdAt: WallClock.milliseconds())
            metadata.partitionCount = max(metadata.partitionCount, topic.partitionCount)
            listed[topic.name] = metadata
        }
        // A topic is dropped (deleted by someone else) only when two listings in a row lack it.
        let missing = Set(before.keys).subtracting(listed.keys)
        let dropped = missingOnce.withLock { once in
            defer { once = missing }
            return missing.intersection(once)
        }
        let now = MonotonicClock.nanoseconds()
        // Merged under the lock: a topic created (``remember(_:)``) while the listing was on its way stays.
        known.withLock { current in
            let fresh = recentlyCreated.withLock { created in
                created = created.filter { $0.value > now && listed[$0.key] == nil }
                return Set(created.keys)
            }
            for name in fresh.union(missing.subtracting(dropped)) {
                if let metadata = current[name] { listed[name] = metadata }
            }
            current = listed
        }
        return listed
    }

    /// The topic's config as the cluster describes it, or Ferry's defaults when it does not answer.
    func describeConfig(_ topic: String) -> TopicConfig {
        guard describesConfigs.withLock({ $0 }) != false else { return TopicConfig() }
        do {
            let entries = try clients.admin.describeTopicConfig(topic, timeout: clients.metadataTimeout)
            describesConfigs.withLock { $0 = true }
            return KafkaTopicConfigMapping.topicConfig(entries)
        } catch {
            describesConfigs.withLock { answered in
                if answered == nil && error.code == KafkaError.timedOutCode { answered = false }
            }
            logger.warning(
                "cannot describe the topic's config; showing defaults",
                metadata: ["topic": "\(topic)", "error": "\(error)"])
            return TopicConfig()
        }
    }

    public var externalTopics: [TopicMetadata]? { known.withLock { Array($0.values) } }

    /// Topic admin waits for the cluster's controller.
    public var topicAdministrationBlocks: Bool { true }

    public func createTopic(_ metadata: TopicMetadata) throws(BrokerError) {
        let configs = KafkaTopicConfigMapping.kafkaConfigs(metadata.config)
        do {
            if let creator = clients.options.topicCreator {
                try creator(metadata.name, metadata.partitionCount, configs)
            } else {
                try clients.admin.createTopic(
                    metadata.name, partitions: Int32(clamping: metadata.partitionCount),
                    replicationFactor: clients.options.replicationFactor, configs: configs,
                    timeout: clients.options.requestTimeout)
            }
        } catch {
            throw KafkaErrorMapping.brokerError(error, topic: metadata.name)
        }
        remember(metadata)
        for index in 0..<metadata.partitionCount {
            partitionStorage(topic: metadata.name, index: index).note(start: 0, end: 0, raiseOnly: true)
        }
    }

    public func updateTopic(_ metadata: TopicMetadata) throws(BrokerError) {
        let current = known.withLock { $0[metadata.name] }
        do {
            if let current, metadata.partitionCount > current.partitionCount {
                try clients.admin.createPartitions(
                    topic: metadata.name, totalCount: Int32(clamping: metadata.partitionCount),
                    timeout: clients.options.requestTimeout)
            }
            if current?.config != metadata.config {
                try clients.admin.alterTopicConfig(
                    metadata.name, KafkaTopicConfigMapping.kafkaConfigs(metadata.config).mapValues { $0 },
                    timeout: clients.options.requestTimeout)
            }
        } catch {
            throw KafkaErrorMapping.brokerError(error, topic: metadata.name)
        }
        remember(metadata)
    }

    public func deleteTopic(_ name: String) throws(BrokerError) {
        do {
            try clients.admin.deleteTopic(name, timeout: clients.options.requestTimeout)
        } catch {
            throw KafkaErrorMapping.brokerError(error, topic: name)
        }
        known.withLock { $0[name] = nil }
        recentlyCreated.withLock { $0[name] = nil }
        partitions.withLock { partitions in partitions = partitions.filter { $0.key.topic != name } }
    }

    /// Keeps `metadata` known through the next listings, until the cluster's metadata shows it.
    func remember(_ metadata: TopicMetadata) {
        recentlyCreated.withLock { $0[metadata.name] = MonotonicClock.nanoseconds() &+ 60_000_000_000 }
        known.withLock { $0[metadata.name] = metadata }
    }

    // MARK: Partitions

    public func partition(topic: String, partition: Int) -> (any PartitionStorage)? {
        guard let metadata = known.withLock({ $0[topic] }), (0..<metadata.partitionCount).contains(partition) else {
            return nil
        }
        return partitionStorage(topic: topic, index: partition)
    }

    /// The partition's object, made on first use (its bounds unknown until a refresh or produce).
    func partitionStorage(topic: String, index: Int) -> KafkaPartition {
        let key = KafkaTopicPartition(topic: topic, partition: Int32(clamping: index))
        return partitions.withLock { partitions in
            if let existing = partitions[key] { return existing }
            let made = KafkaPartition(topic: topic, index: index, clients: clients)
            partitions[key] = made
            return made
        }
    }

    public var metrics: [StorageMetric] {
        let counters = clients.counters.withLock { $0 }
        return [
            StorageMetric("ferry_kafka_up", .gauge, isAvailable ? 1 : 0),
            StorageMetric("ferry_kafka_producer_queue", .gauge, Int64(clients.producer.pendingCount)),
            StorageMetric("ferry_kafka_produced_records_total", .counter, Int64(counters.producedRecords)),
            StorageMetric("ferry_kafka_produce_errors_total", .counter, Int64(counters.produceErrors)),
            StorageMetric("ferry_kafka_produce_batches_total", .counter, Int64(counters.produceBatches)),
            StorageMetric("ferry_kafka_delivery_microseconds_total", .counter, counters.deliveryMicroseconds),
            StorageMetric("ferry_kafka_reads_total", .counter, Int64(counters.reads)),
            StorageMetric("ferry_kafka_read_errors_total", .counter, Int64(counters.readErrors)),
        ]
    }

    /// Kafka applies retention itself.
    public func enforceRetention(nowMilliseconds: Int64) {}

    public func shutdown() {
        stopRefresher()
        clients.close()
    }
}
