import Logging
import Synchronization

/// Settings of the broker (the storage engine has its own).
public struct BrokerConfiguration: Sendable {
    /// Producing to a missing topic creates it with 1 partition and ``defaultTopicConfig``.
    public var autoCreateTopics = true
    public var defaultTopicConfig = TopicConfig()
    /// How long an `Idempotency-Key` is remembered.
    public var idempotencyWindowMilliseconds: Int64 = 600_000
    /// Where the broker reports what it does in the background (journal compaction).
    public var logger = Logger(label: "ferry.broker")
    /// How many shards Ferry's own state is split into (the partitions of the `__ferry_*` topics) when those
    /// topics are created; existing topics keep theirs. One node: 1. Gateways sharing a cluster: more, so that
    /// ownership spreads.
    public var stateShards = 1
    /// Whether this broker owns every shard from the start (one node). False on a cluster of gateways, where
    /// the node loads the shards it is assigned (``Broker/loadShard(_:)``).
    public var ownsAllShards = true

    public init() {}
}

/// The broker: topics, produce, fetch, and the shards of Ferry's own state (consumer groups, queues, webhook
/// subscriptions, idempotent answers) this node owns. Knows nothing of HTTP.
///
/// Thread-safety: every method may be called from any thread. Topic metadata is guarded by one `Mutex` (held
/// across the storage calls that create or delete topics, which are rare); appends and reads go straight to the
/// partition storage, which serializes appends per partition. No method blocks on `fsync`: durability is
/// reported through callbacks.
public final class Broker: Sendable {
    public let configuration: BrokerConfiguration
    public let storage: any StorageEngine
    /// How many shards the state is split into (fixed by the internal topics' partition count).
    public let stateShardCount: Int
    let now: @Sendable () -> Int64
    let topics: Mutex<[String: TopicMetadata]>
    /// Keyless requests rotate over partitions (Kafka's sticky partitioner, one partition per request).
    let stickyCounter = Atomic<Int>(0)
    /// The shards this node owns, and who wants to hear when that changes.
    let shardTable = Mutex(ShardTable())

    /// The internal topic holding consumer-group state.
    public static let groupStateTopic = "__ferry_groups"
    /// The internal topic holding queue state.
    public static let queueStateTopic = "__ferry_queues"
    /// The internal topic holding webhook subscriptions and their positions.
    public static let subscriptionStateTopic = "__ferry_subscriptions"
    /// Ferry's journal of remembered produce answers (`Idempotency-Key`).
    public static let idempotencyStateTopic = "__ferry_idempotency"
    /// Heartbeats of the gateways sharing a cluster (``ClusterDirectory``); only where shards are shared.
    public static let clusterTopic = "__ferry_cluster"
    /// The internal topics' names before they all began with `__ferry_` (the group journal's collided with
    /// Kafka's own `__consumer_offsets`); an embedded data dir is migrated at start-up.
    public static let legacyInternalTopics: [(old: String, new: String)] = [
        ("__consumer_offsets", groupStateTopic), ("__queue_state", queueStateTopic),
        ("__subscriptions", subscriptionStateTopic),
    ]

    /// Loads the topics the storage has, creates the internal topics it lacks and, when the configuration says
    /// this node owns every shard, replays them (blocks on storage reads).
    /// - Parameter now: wall-clock milliseconds since the Unix epoch.
    public init(
        storage: any StorageEngine, configuration: BrokerConfiguration = BrokerConfiguration(),
        now: @escaping @Sendable () -> Int64
    ) throws(BrokerError) {
        self.configuration = configuration
        self.storage = storage
        self.now = now
        var known: [String: TopicMetadata] = [:]
        for topic in try storage.loadTopics() { known[topic.name] = topic }
        // The group journal's partition count fixes the shard count; the other journals follow it.
        let shards = known[Self.groupStateTopic]?.partitionCount ?? max(1, configuration.stateShards)
        try Self.ensureInternalTopic(
            Self.groupStateTopic, partitions: shards, storage: storage, known: &known, now: now())
        try Self.ensureInternalTopic(
            Self.queueStateTopic, partitions: shards, storage: storage, known: &known, now: now())
        try Self.ensureInternalTopic(
            Self.subscriptionStateTopic, partitions: shards, storage: storage, known: &known, now: now())
        // Remembered answers expire after 10 minutes: an hour of retention keeps them with room to spare.
        try Self.ensureInternalTopic(
            Self.idempotencyStateTopic, partitions: shards, storage: storage, known: &known, now: now(),
            retentionMs: 3_600_000, segmentBytes: 4 << 20)
        if !configuration.ownsAllShards {
            // Heartbeats matter for seconds: an hour of them is plenty.
            try Self.ensureInternalTopic(
                Self.clusterTopic, partitions: 1, storage: storage, known: &known, now: now(), retentionMs: 3_600_000,
                segmentBytes: 1 << 20)
        }
        self.stateShardCount = shards
        self.topics = Mutex(known)
        if configuration.ownsAllShards {
            for index in 0..<shards { try loadShard(index) }
        }
    }

    /// Creates internal topic `name` with `partitions` partitions (kept forever unless `retentionMs` says
    /// otherwise) unless `known` has it, and grows it to `partitions` if it has fewer. Start-up only.
    static func ensureInternalTopic(
        _ name: String, partitions: Int, storage: any StorageEngine, known: inout [String: TopicMetadata],
        now: Int64, retentionMs: Int64 = -1, segmentBytes: Int64 = 16 << 20
    ) throws(BrokerError) {
        if var existing = known[name] {
            guard existing.partitionCount < partitions else { return }
            existing.partitionCount = partitions
            try storage.updateTopic(existing)
            known[name] = existing
            return
        }
        var config = TopicConfig()
        config.retentionMs = retentionMs
        config.segmentBytes = segmentBytes
        let metadata = TopicMetadata(name: name, partitionCount: partitions, config: config, createdAt: now)
        try storage.createTopic(metadata)
        known[name] = metadata
    }

    /// Periodic work: for every shard this node owns, evicts silent group members, ends leases, forgets old
    /// idempotency keys and compacts long journals (blocks on fsync when one is due); adopts topics others
    /// changed; mirrors committed offsets. Call every ~100 ms from one thread at a time.
    public func housekeeping() {
        let owned = localShards
        let time = now()
        for shard in owned { shard.housekeeping(now: time, logger: configuration.logger) }
        adoptExternalTopics()
        storage.mirrorCommittedOffsets {
            var offsets: [String: [TopicPartition: Int64]] = [:]
            for shard in owned { offsets.merge(shard.groups.committedOffsets()) { current, _ in current } }
            return offsets
        }
    }

    /// Applies retention to every partition. Call every `--retention-check-interval-ms`.
    public func enforceRetention() {
        storage.enforceRetention(nowMilliseconds: now())
    }

    /// Flushes and closes storage.
    public func shutdown() {
        storage.shutdown()
    }

    /// The metadata of a user-visible topic, or nil (internal topics are invisible here).
    public func metadata(of topic: String) -> TopicMetadata? {
        guard !ResourceName.isInternalTopic(topic) else { return nil }
        return topics.withLock { $0[topic] }
    }

    /// The metadata of an existing user topic; throws `invalidTopicName` for a name no user topic can have
    /// (including internal `__` names), else `topicNotFound`.
    public func existingTopic(_ topic: String) throws(BrokerError) -> TopicMetadata {
        try ResourceName.validateTopic(topic)
        guard let metadata = metadata(of: topic) else { throw .topicNotFound(topic) }
        return metadata
    }

    /// A user topic's partitions in order, or nil when it does not exist (or a partition is missing).
    func partitions(of topic: String) -> [any PartitionStorage]? {
        guard let metadata = metadata(of: topic) else { return nil }
        var partitions: [any PartitionStorage] = []
        for p in 0..<metadata.partitionCount {
            guard let storage = storage.partition(topic: topic, partition: p) else { return nil }
            partitions.append(storage)
        }
        return partitions
    }

    /// A partition's storage; throws `invalidTopicName` / `topicNotFound` / `partitionNotFound`.
    public func partition(topic: String, partition: Int) throws(BrokerError) -> any PartitionStorage {
        let metadata = try existingTopic(topic)
        guard (0..<metadata.partitionCount).contains(partition),
            let storage = storage.partition(topic: topic, partition: partition)
        else { throw .partitionNotFound(topic: topic, partition: partition) }
        return storage
    }
}

/// Lets the coordinator see topics without a reference cycle between it and the broker.
final class BrokerTopicSource: GroupTopicSource, Sendable {
    let broker = Mutex<WeakBroker>(WeakBroker(nil))

    func partitionCount(of topic: String) -> Int? {
        broker.withLock { $0.value }?.metadata(of: topic)?.partitionCount
    }

    func offsetRange(of partition: TopicPartition) -> (start: Int64, end: Int64)? {
        guard
            let storage = try? broker.withLock({ $0.value })?.partition(
                topic: partition.topic, partition: partition.partition)
        else { return nil }
        return (storage.startOffset, storage.endOffset)
    }
}

struct WeakBroker: @unchecked Sendable {
    weak var value: Broker?
    init(_ value: Broker?) { self.value = value }
}
