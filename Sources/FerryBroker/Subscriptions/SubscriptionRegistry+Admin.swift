import Synchronization

/// Create, alter, delete, seek, status.
extension SubscriptionRegistry {
    /// Creates a subscription starting at the topic's first (`earliest`) or next (`latest`) offsets. Throws
    /// `invalidTopicName`, `invalidName`, `invalidParameter` (a setting out of range, or a dead-letter topic
    /// name that is too long), `topicNotFound` or `subscriptionExists`. `onDurable` runs (outside every lock)
    /// once the creation is durable per the flush policy.
    public func create(
        _ config: SubscriptionConfig, start: OffsetReset,
        onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) throws(BrokerError) {
        var config = config
        try ResourceName.validateTopic(config.topic)
        try ResourceName.validate(config.name, kind: "subscription")
        try Self.validate(config)
        guard ResourceName.isValidTopic(config.deadLetterTopic) else {
            throw .invalidParameter(
                name: "name", reason: "the dead-letter topic '\(config.deadLetterTopic)' would be too long")
        }
        guard let partitions = partitions(of: config.topic) else { throw .topicNotFound(config.topic) }
        let positions = partitions.map { start == .earliest ? $0.startOffset : $0.endOffset }
        config.createdAt = now()
        config.paused = false
        config.disabled = false
        let key = SubscriptionKey(topic: config.topic, name: config.name)
        let callback = CallbackOutsideLock(onDurable)
        defer { callback.release() }
        try records.withLock { records throws(BrokerError) in
            guard records[key] == nil else { throw .subscriptionExists(topic: key.topic, name: key.name) }
            let generation = max(config.createdAt, 1)
            records[key] = SubscriptionRecord(
                config: config, positions: positions, generation: generation, stats: SubscriptionStats())
            journal.append(
                [.created(config, positions: positions, generation: generation, stats: SubscriptionStats())],
                onDurable: callback.deliver)
        }
        notify(key)
    }

    /// Applies `patch` (`paused: false` also clears `disabled`). Throws like ``create(_:start:onDurable:)``
    /// plus `subscriptionNotFound`.
    public func update(
        topic: String, name: String, _ patch: SubscriptionPatch,
        onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) throws(BrokerError) {
        let key = try existingKey(topic: topic, name: name)
        let callback = CallbackOutsideLock(onDurable)
        defer { callback.release() }
        try records.withLock { records throws(BrokerError) in
            guard var record = records[key] else { throw .subscriptionNotFound(topic: topic, name: name) }
            var config = record.config
            if let paused = patch.paused {
                config.paused = paused
                if !paused { config.disabled = false }
            }
            if let url = patch.url { config.url = url }
            if let secret = patch.secret { config.secret = secret }
            if let headers = patch.headers { config.headers = headers }
            if let batchSize = patch.batchSize { config.batchSize = batchSize }
            if let maxAttempts = patch.maxAttempts { config.maxAttempts = maxAttempts }
            if let timeout = patch.timeoutMilliseconds { config.timeoutMilliseconds = timeout }
            if let filter = patch.filter { config.filter = filter }
            try Self.validate(config)
            record.config = config
            if config.paused || config.disabled { record.failing = [] }
            records[key] = record
            journal.append([.updated(config)], onDurable: callback.deliver)
        }
        notify(key)
    }

    /// Deletes a subscription; the dispatcher stops its delivery when notified. Throws `topicNotFound` or
    /// `subscriptionNotFound`.
    public func delete(
        topic: String, name: String, onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) throws(BrokerError) {
        let key = try existingKey(topic: topic, name: name)
        let callback = CallbackOutsideLock(onDurable)
        defer { callback.release() }
        try records.withLock { records throws(BrokerError) in
            guard records.removeValue(forKey: key) != nil else { throw .subscriptionNotFound(topic: topic, name: name) }
            journal.append([.deleted(topic: topic, name: name)], onDurable: callback.deliver)
        }
        notify(key)
    }

    /// Moves the positions (a new generation: work under the old one is discarded). Throws `topicNotFound`,
    /// `subscriptionNotFound`, `partitionNotFound` or `offsetOutOfRange` (nothing changes then).
    public func seek(
        topic: String, name: String, to target: SubscriptionSeek,
        onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) throws(BrokerError) {
        let key = try existingKey(topic: topic, name: name)
        guard let partitions = partitions(of: topic) else { throw .topicNotFound(topic) }
        let callback = CallbackOutsideLock(onDurable)
        defer { callback.release() }
        let time = now()
        try records.withLock { records throws(BrokerError) in
            guard var record = records[key] else { throw .subscriptionNotFound(topic: topic, name: name) }
            var positions = Self.positions(record, partitions: partitions)
            switch target {
            case .earliest: positions = partitions.map(\.startOffset)
            case .latest: positions = partitions.map(\.endOffset)
            case .partitionOffsets(let offsets) where offsets.count == partitions.count: positions = offsets
            case .partitionOffsets, .timestamp:
                throw .invalidParameter(
                    name: "to", reason: "a timestamp is resolved by Broker.seekSubscription for the current partitions")
            case .offset(let offset, let partition):
                if let partition, !partitions.indices.contains(partition) {
                    throw .partitionNotFound(topic: topic, partition: partition)
                }
                for p in partitions.indices where partition == nil || partition == p {
                    let (start, end) = (partitions[p].startOffset, partitions[p].endOffset)
                    guard (start...end).contains(offset) else {
                        throw .offsetOutOfRange(requested: offset, startOffset: start, endOffset: end)
                    }
                    positions[p] = offset
                }
            }
            record.positions = positions
            record.generation = max(record.generation + 1, time)
            record.failing = []
            records[key] = record
            journal.append(
                [.seeked(topic: topic, name: name, generation: record.generation, positions: positions)],
                onDurable: callback.deliver)
        }
        notify(key)
    }

    /// The subscription's status. Throws `invalidTopicName`, `topicNotFound` or `subscriptionNotFound`.
    public func status(topic: String, name: String) throws(BrokerError) -> SubscriptionStatus {
        let key = try existingKey(topic: topic, name: name)
        guard let partitions = partitions(of: topic) else { throw .topicNotFound(topic) }
        guard let record = records.withLock({ $0[key] }) else { throw .subscriptionNotFound(topic: topic, name: name) }
        return Self.status(record, partitions: partitions)
    }

    /// The statuses of the topic's subscriptions, sorted by name (code-point order). Throws `topicNotFound`.
    public func list(topic: String) throws(BrokerError) -> [SubscriptionStatus] {
        try ResourceName.validateTopic(topic)
        guard let partitions = partitions(of: topic) else { throw .topicNotFound(topic) }
        return records.withLock { records in records.values.filter { $0.config.topic == topic } }
            .sorted { $0.config.name.unicodeScalars.lexicographicallyPrecedes($1.config.name.unicodeScalars) }
            .map { Self.status($0, partitions: partitions) }
    }

    static func status(_ record: SubscriptionRecord, partitions: [any PartitionStorage]) -> SubscriptionStatus {
        let positions = Self.positions(record, partitions: partitions)
        var lag: Int64 = 0
        for (p, partition) in partitions.enumerated() {
            lag += max(0, partition.endOffset - max(positions[p], partition.startOffset))
        }
        let state: SubscriptionState =
            record.config.disabled
            ? .disabled : record.config.paused ? .paused : record.failing.isEmpty ? .active : .failing
        return SubscriptionStatus(config: record.config, state: state, lag: lag, stats: record.stats)
    }

    /// The key of an existing topic's subscription name (which may not exist): `invalidTopicName`,
    /// `topicNotFound`, or `invalidName` for a name no subscription can have.
    func existingKey(topic: String, name: String) throws(BrokerError) -> SubscriptionKey {
        try ResourceName.validateTopic(topic)
        guard partitions(of: topic) != nil else { throw .topicNotFound(topic) }
        try ResourceName.validate(name, kind: "subscription")
        return SubscriptionKey(topic: topic, name: name)
    }

    static func validate(_ config: SubscriptionConfig) throws(BrokerError) {
        guard SubscriptionConfig.batchSizeRange.contains(config.batchSize) else {
            throw .invalidParameter(name: "batch_size", reason: "must be an integer in 1...1000")
        }
        guard SubscriptionConfig.maxAttemptsRange.contains(config.maxAttempts) else {
            throw .invalidParameter(name: "max_attempts", reason: "must be an integer in 1...100")
        }
        guard SubscriptionConfig.timeoutRange.contains(config.timeoutMilliseconds) else {
            throw .invalidParameter(name: "timeout_ms", reason: "must be an integer in 100...300000")
        }
        guard !config.url.isEmpty else { throw .invalidURL("url: must not be empty") }
    }
}
