import Synchronization

/// Appending a whole batch to one partition, for the Kafka-protocol listener.
extension Broker {
    /// Validates every record of `batch` and appends them all to `partition` of `topic` as one atomic batch
    /// (a Kafka producer's record batch), auto-creating the topic when allowed. Unlike ``produce(topic:batch:
    /// defaultPartition:completion:)`` there is no per-request record count limit: a Kafka batch is bounded by
    /// its bytes. Throws `invalidTopicName`, `topicNotFound`, `partitionNotFound`, `messageTooLarge` or
    /// `invalidRecord` before anything is stored. `completion` gets the first record's offset once the batch is
    /// durable per the flush policy (on the caller's thread or the flusher's; it must not block).
    public func append(
        topic: String, partition: Int, batch: ProduceBatch,
        completion: @escaping @Sendable (Result<Int64, BrokerError>) -> Void
    ) throws(BrokerError) {
        guard !batch.records.isEmpty else { throw .invalidParameter(name: "records", reason: "empty batch") }
        let metadata = try topicForProduce(topic)
        guard (0..<metadata.partitionCount).contains(partition),
            let storage = storage.partition(topic: topic, partition: partition)
        else { throw .partitionNotFound(topic: topic, partition: partition) }
        let limit = Int(metadata.config.maxMessageBytes)
        let time = now()
        var timestamps: [Int64] = []
        timestamps.reserveCapacity(batch.records.count)
        for (index, record) in batch.records.enumerated() {
            let size = batch.size(of: index)
            guard size <= limit else { throw .messageTooLarge(index: index, bytes: size, limit: limit) }
            let timestamp = record.timestamp ?? time
            guard timestamp >= 0 else { throw .invalidRecord(index: index, reason: "timestamp must be >= 0") }
            timestamps.append(timestamp)
        }
        storage.append(batch, indices: Array(batch.records.indices), timestamps: timestamps) { result in
            completion(result.map { $0.count > 0 ? $0[0] : storage.endOffset })
        }
    }

    /// Internal topics (`__ferry_*`): names and partition counts, for protocols that list them as internal.
    public func internalTopics() -> [TopicMetadata] {
        topics.withLock { topics in topics.values.filter { ResourceName.isInternalTopic($0.name) } }
    }
}
