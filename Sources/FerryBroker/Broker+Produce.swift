import Synchronization

/// Where one produced record landed.
public struct ProducedOffset: Sendable, Equatable {
    public var partition: Int
    public var offset: Int64
    public var timestamp: Int64
}

/// Produce: validation, partitioning, atomic append.
extension Broker {
    /// The most records one produce request may carry.
    public static let maxRecordsPerRequest = 10_000

    /// Validates and appends every record of `batch` to `topic` (auto-creating it when allowed).
    ///
    /// Partition choice per record: its explicit `partition`, else `defaultPartition` (the `partition=` query),
    /// else Kafka's murmur2 of the key, else one partition for all keyless records of the request, rotating
    /// between requests. Nothing is stored when any record is invalid: `invalidRecord`, `messageTooLarge`
    /// (over the topic's `max_message_bytes`) or `invalidPartitions` (no such partition) is thrown first.
    /// Records of one partition are one atomic batch. `completion` gets the offsets in request order once every
    /// batch is durable per the flush policy; it runs on the caller's thread (interval/never) or the flusher's.
    public func produce(
        topic: String, batch: ProduceBatch, defaultPartition: Int? = nil,
        completion: @escaping @Sendable (Result<[ProducedOffset], BrokerError>) -> Void
    ) throws(BrokerError) {
        try checkRecordCount(batch)  // before the topic is looked up, or auto-created
        let metadata = try topicForProduce(topic)
        try appendChecked(batch, into: metadata, defaultPartition: defaultPartition, completion: completion)
    }

    /// ``produce(topic:batch:defaultPartition:completion:)`` into a topic the caller has just looked up
    /// (``metadata(of:)``), which saves a second lookup of its name on the request path. A topic deleted since
    /// fails with `partitionNotFound`.
    public func produce(
        into metadata: TopicMetadata, batch: ProduceBatch, defaultPartition: Int? = nil,
        completion: @escaping @Sendable (Result<[ProducedOffset], BrokerError>) -> Void
    ) throws(BrokerError) {
        try checkRecordCount(batch)
        try appendChecked(batch, into: metadata, defaultPartition: defaultPartition, completion: completion)
    }

    /// Partitions and appends a batch whose record count was checked.
    private func appendChecked(
        _ batch: ProduceBatch, into metadata: TopicMetadata, defaultPartition: Int?,
        completion: @escaping @Sendable (Result<[ProducedOffset], BrokerError>) -> Void
    ) throws(BrokerError) {
        let topic = metadata.name
        let count = metadata.partitionCount
        let limit = Int(metadata.config.maxMessageBytes)
        let time = now()
        var sticky: Int?
        var first: Int?  // the partition of the first record
        var assigned: [Int] = []  // the partition of each record, once they differ (most requests use one)
        var timestamps: [Int64] = []
        timestamps.reserveCapacity(batch.records.count)
        for (index, record) in batch.records.enumerated() {
            let size = batch.size(of: index)
            guard size <= limit else { throw .messageTooLarge(index: index, bytes: size, limit: limit) }
            if let timestamp = record.timestamp, timestamp < 0 {
                throw .invalidRecord(index: index, reason: "timestamp must be >= 0")
            }
            let partition: Int
            if let explicit = record.partition ?? defaultPartition {
                guard (0..<count).contains(explicit) else {
                    throw .invalidPartitions("record \(index): topic '\(topic)' has no partition \(explicit)")
                }
                partition = explicit
            } else if let key = record.key {
                partition = Murmur2.partition(forKey: batch.bytes[key], partitionCount: count)
            } else {
                let chosen =
                    sticky
                    ?? Int(UInt(bitPattern: stickyCounter.wrappingAdd(1, ordering: .relaxed).oldValue) % UInt(count))
                sticky = chosen
                partition = chosen
            }
            if first == nil { first = partition }
            if assigned.isEmpty && partition != first {
                assigned = Array(repeating: first ?? partition, count: index)
                assigned.reserveCapacity(batch.records.count)
            }
            if !assigned.isEmpty { assigned.append(partition) }
            timestamps.append(record.timestamp ?? time)
        }
        if assigned.isEmpty, let partition = first {
            return try appendToOnePartition(
                topic: topic, partition: partition, batch: batch, timestamps: timestamps, completion: completion)
        }

        var byPartition: [[Int]] = Array(repeating: [], count: count)
        for (index, partition) in assigned.enumerated() { byPartition[partition].append(index) }
        var targets: [(partition: Int, storage: any PartitionStorage)] = []
        for p in byPartition.indices where !byPartition[p].isEmpty {
            guard let storage = storage.partition(topic: topic, partition: p) else {
                throw .partitionNotFound(topic: topic, partition: p)
            }
            targets.append((p, storage))
        }
        // One pending count per partition; `completion` runs once every partition's append has answered.
        let progress = Mutex(
            ProduceProgress(pending: targets.count, offsets: Array(repeating: nil, count: batch.records.count)))
        for (p, storage) in targets {
            let indices = byPartition[p]
            let stamps = indices.map { timestamps[$0] }
            storage.append(batch, indices: indices, timestamps: stamps) { result in
                let finished: Result<[ProducedOffset], BrokerError>? = progress.withLock { progress in
                    switch result {
                    case .success(let offsets):
                        for (i, index) in indices.enumerated() {
                            progress.offsets[index] = ProducedOffset(
                                partition: p, offset: offsets[i], timestamp: stamps[i])
                        }
                    case .failure(let error):
                        if progress.error == nil { progress.error = error }
                    }
                    progress.pending -= 1
                    guard progress.pending == 0 else { return nil }
                    if let error = progress.error { return .failure(error) }
                    // Every record index belongs to one target, whose answer set its offset.
                    let offsets = progress.offsets.compactMap { $0 }
                    guard offsets.count == progress.offsets.count else {
                        return .failure(.internal("produce lost an offset"))
                    }
                    return .success(offsets)
                }
                if let finished { completion(finished) }
            }
        }
    }

    /// Throws `invalidParameter` unless `batch` holds 1 to ``maxRecordsPerRequest`` records.
    private func checkRecordCount(_ batch: ProduceBatch) throws(BrokerError) {
        guard (1...Self.maxRecordsPerRequest).contains(batch.records.count) else {
            throw .invalidParameter(name: "records", reason: "must hold 1 to \(Self.maxRecordsPerRequest) records")
        }
    }

    /// The common case of ``produce(into:batch:defaultPartition:completion:)``: every record goes to one
    /// partition (a single message, a keyless batch, a `partition=` query), so there is no grouping and no
    /// shared progress to count down: one append, one answer.
    private func appendToOnePartition(
        topic: String, partition: Int, batch: ProduceBatch, timestamps: [Int64],
        completion: @escaping @Sendable (Result<[ProducedOffset], BrokerError>) -> Void
    ) throws(BrokerError) {
        guard let storage = storage.partition(topic: topic, partition: partition) else {
            throw .partitionNotFound(topic: topic, partition: partition)
        }
        storage.append(batch, indices: Array(batch.records.indices), timestamps: timestamps) { result in
            completion(
                result.flatMap { offsets in
                    guard offsets.count == timestamps.count else {
                        return .failure(.internal("produce lost an offset"))
                    }
                    return .success(
                        (0..<offsets.count).map {
                            ProducedOffset(partition: partition, offset: offsets[$0], timestamp: timestamps[$0])
                        })
                })
        }
    }
}

struct ProduceProgress {
    var pending: Int
    var offsets: [ProducedOffset?]
    var error: BrokerError?
}
