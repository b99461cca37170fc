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

    public init() {}
}

/// The broker: topics, produce, fetch, consumer groups. Knows nothing of HTTP.
///
/// Thread-safety: every method may be called from any thread. Topic metadata is guarded by one `Mutex` (held
/// across the storage calls that create or delete topics, which are rare); appends and reads go straight to the
/// partition storage, which serializes appends per partition. No method blocks on `fsync`: durability is
/// reported through callbacks.
public final class Broker: Sendable {
    public let configuration: BrokerConfiguration
    public let storage: any StorageEngine
    public let groups: GroupCoordinator
    public let queues: QueueCoordinator
    /// Webhook subscriptions' durable state (delivery is FerryAPI's dispatcher).
    public let subscriptions: SubscriptionRegistry
    public let idempotency: IdempotencyCache
    let now: @Sendable () -> Int64
    let topics: Mutex<[String: TopicMetadata]>
    /// Keyless requests rotate over partitions (Kafka's sticky partitioner, one partition per request).
    let stickyCounter = Atomic<Int>(0)
    /// The internal journals and their owners' snapshots, compacted by ``compactJournalsIfDue()``.
    let journals: [CompactableJournal]
    /// Wall-clock milliseconds before which housekeeping does not look at the journals again.
    let nextCompactionCheck = Atomic<Int64>(0)

    /// The internal topic holding consumer-group state.
    public static let groupStateTopic = "__ferry_groups"
    /// The internal topics' names before they all began with `__ferry_` (the group journal's collided with
    /// Kafka's own `__consumer_offsets`); an embedded data dir is migrated at start-up.
    public static let legacyInternalTopics: [(old: String, new: String)] = [
        ("__consumer_offsets", groupStateTopic), ("__queue_state", queueStateTopic),
        ("__subscriptions", subscriptionStateTopic),
    ]

    /// Loads the topics the storage has, replays group state from ``groupStateTopic`` (creating it if needed).
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
        try Self.ensureInternalTopic(Self.groupStateTopic, storage: storage, known: &known, now: now())
        try Self.ensureInternalTopic(Self.queueStateTopic, storage: storage, known: &known, now: now())
        try Self.ensureInternalTopic(Self.subscriptionStateTopic, storage: storage, known: &known, now: now())
        // Remembered answers expire after 10 minutes: an hour of retention keeps them with room to spare.
        try Self.ensureInternalTopic(
            Self.idempotencyStateTopic, storage: storage, known: &known, now: now(), retentionMs: 3_600_000,
            segmentBytes: 4 << 20)
        self.topics = Mutex(known)
        guard let statePartition = storage.partition(topic: Self.groupStateTopic, partition: 0) else {
            throw .internal("internal topic \(Self.groupStateTopic) has no partition 0")
        }
        let journal = GroupStateLog(partition: statePartition, now: now)
        let source = BrokerTopicSource()
        self.groups = GroupCoordinator(topics: source, journal: journal, now: now)
        self.idempotency = try Self.makeIdempotencyCache(
            storage: storage, windowMilliseconds: configuration.idempotencyWindowMilliseconds, now: now)
        let (queues, queueAccess, queueJournal) = try Self.makeQueueCoordinator(storage: storage, now: now)
        self.queues = queues
        self.subscriptions = try Self.makeSubscriptionRegistry(storage: storage, now: now)
        // Journals only grow (every commit, receive, ack and position adds a line): each is replaced by a
        // snapshot of its owner's state when long, here and then online by housekeeping.
        var journals = [
            CompactableJournal(
                topic: Self.groupStateTopic, journal: journal.journal, appendSnapshot: self.groups.appendSnapshot),
            CompactableJournal(
                topic: Self.queueStateTopic, journal: queueJournal.journal, appendSnapshot: queues.appendSnapshot),
            CompactableJournal(
                topic: Self.subscriptionStateTopic, journal: subscriptions.journal.journal,
                appendSnapshot: subscriptions.appendSnapshot),
        ]
        if let idempotencyJournal = idempotency.journal {
            journals.append(
                CompactableJournal(
                    topic: Self.idempotencyStateTopic, journal: idempotencyJournal.journal,
                    appendSnapshot: idempotency.appendSnapshot))
        }
        self.journals = journals
        source.broker.withLock { $0 = WeakBroker(self) }
        groups.restore(try journal.replay())
        queueAccess.broker.withLock { $0 = WeakBroker(self) }
        try queues.restore(queueJournal.replay)
        subscriptions.broker.withLock { $0 = WeakBroker(self) }
        try subscriptions.restore()
        if let failure = compactJournalsIfDue(force: true).first { throw failure.error }
    }

    /// Creates internal topic `name` (1 partition; kept forever unless `retentionMs` says otherwise) unless
    /// `known` has it. Start-up only.
    static func ensureInternalTopic(
        _ name: String, storage: any StorageEngine, known: inout [String: TopicMetadata], now: Int64,
        retentionMs: Int64 = -1, segmentBytes: Int64 = 16 << 20
    ) throws(BrokerError) {
        guard known[name] == nil else { return }
        var config = TopicConfig()
        config.retentionMs = retentionMs
        config.segmentBytes = segmentBytes
        let metadata = TopicMetadata(name: name, partitionCount: 1, config: config, createdAt: now)
        try storage.createTopic(metadata)
        known[name] = metadata
    }

    /// Periodic work: evicts silent group members, ends leases, forgets old idempotency keys, compacts long
    /// internal journals (blocks on fsync when one is due). Call every ~100 ms from one thread at a time.
    public func housekeeping() {
        groups.evictExpiredMembers()
        queues.expireLeases()
        idempotency.purgeExpired()
        adoptExternalTopics()
        storage.mirrorCommittedOffsets { groups.committedOffsets() }
        for failure in compactJournalsIfDue() {
            configuration.logger.warning(
                "journal compaction failed; its history is kept and compaction retried in a minute",
                metadata: ["topic": "\(failure.topic)", "error": "\(failure.error)"])
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
