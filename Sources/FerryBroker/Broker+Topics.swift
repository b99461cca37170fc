import Synchronization

/// Topic administration: create, describe, list, alter, delete.
extension Broker {
    /// The most partitions a topic may have.
    public static let maxPartitions = 1024

    /// Creates a topic. Throws `invalidTopicName`, `invalidPartitions` (outside 1…1024) or `topicExists`.
    @discardableResult
    public func createTopic(name: String, partitions: Int = 1, config: TopicConfig? = nil) throws(BrokerError)
        -> TopicDescription
    {
        try ResourceName.validateTopic(name)
        guard (1...Self.maxPartitions).contains(partitions) else {
            throw .invalidPartitions("partitions must be between 1 and \(Self.maxPartitions), got \(partitions)")
        }
        let metadata = TopicMetadata(
            name: name, partitionCount: partitions, config: config ?? configuration.defaultTopicConfig,
            createdAt: now())
        try topics.withLock { topics throws(BrokerError) in
            guard topics[name] == nil else { throw .topicExists(name) }
            try storage.createTopic(metadata)
            topics[name] = metadata
        }
        for shard in localShards { shard.topicChanged(name, deleted: false) }
        return try describeTopic(name)
    }

    /// The topic, creating it (1 partition, default config) when auto-create is on.
    /// Throws `topicNotFound` when it is off, `invalidTopicName` for a name that could not be created.
    func topicForProduce(_ name: String) throws(BrokerError) -> TopicMetadata {
        try ResourceName.validateTopic(name)
        if let metadata = metadata(of: name) { return metadata }
        guard configuration.autoCreateTopics else { throw .topicNotFound(name) }
        do {
            try createTopic(name: name)
        } catch .topicExists {
            // Created concurrently by another request: fine.
        }
        guard let metadata = metadata(of: name) else { throw .topicNotFound(name) }
        return metadata
    }

    /// Throws `topicNotFound`.
    public func describeTopic(_ name: String) throws(BrokerError) -> TopicDescription {
        let metadata = try existingTopic(name)
        var partitions: [TopicDescription.Partition] = []
        for p in 0..<metadata.partitionCount {
            guard let storage = storage.partition(topic: name, partition: p) else { continue }
            partitions.append(
                .init(
                    partition: p, startOffset: storage.startOffset, endOffset: storage.endOffset,
                    bytes: storage.sizeInBytes, segments: storage.segmentCount))
        }
        return TopicDescription(
            name: name, partitions: partitions, config: metadata.config, createdAt: metadata.createdAt)
    }

    /// Every user topic, sorted by name (code-point order).
    public func listTopics() -> [TopicSummary] {
        let all = topics.withLock { Array($0.values) }
        return all.filter { !ResourceName.isInternalTopic($0.name) }
            .sorted { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) }
            .map { metadata in
                var messages: Int64 = 0
                var bytes: Int64? = 0
                for p in 0..<metadata.partitionCount {
                    guard let storage = storage.partition(topic: metadata.name, partition: p) else { continue }
                    messages += storage.endOffset - storage.startOffset
                    bytes = bytes.flatMap { sum in storage.sizeInBytes.map { sum + $0 } }
                }
                return TopicSummary(
                    name: metadata.name, partitionCount: metadata.partitionCount, messages: messages, bytes: bytes)
            }
    }

    /// Grows the partition count and/or replaces config keys. Fewer partitions → `invalidPartitions`.
    public func alterTopic(_ name: String, partitions: Int?, config: (inout TopicConfig) throws(BrokerError) -> Void)
        throws(BrokerError) -> TopicDescription
    {
        _ = try existingTopic(name)
        let grew = try topics.withLock { topics throws(BrokerError) -> Bool in
            guard var metadata = topics[name] else { throw .topicNotFound(name) }
            let before = metadata.partitionCount
            if let partitions {
                guard partitions >= metadata.partitionCount else {
                    throw .invalidPartitions(
                        "partitions can only grow: topic has \(metadata.partitionCount), asked \(partitions)")
                }
                guard partitions <= Self.maxPartitions else {
                    throw .invalidPartitions(
                        "partitions must be between 1 and \(Self.maxPartitions), got \(partitions)")
                }
                metadata.partitionCount = partitions
            }
            try config(&metadata.config)
            try storage.updateTopic(metadata)
            topics[name] = metadata
            return metadata.partitionCount != before
        }
        if grew { for shard in localShards { shard.topicChanged(name, deleted: false) } }
        return try describeTopic(name)
    }

    /// Deletes a topic and its files; group offsets on it are cleared. Throws `topicNotFound`.
    public func deleteTopic(_ name: String) throws(BrokerError) {
        _ = try existingTopic(name)
        try topics.withLock { topics throws(BrokerError) in
            guard !ResourceName.isInternalTopic(name), topics[name] != nil else { throw .topicNotFound(name) }
            try storage.deleteTopic(name)
            topics[name] = nil
        }
        for shard in localShards { shard.topicChanged(name, deleted: true) }
    }
}
