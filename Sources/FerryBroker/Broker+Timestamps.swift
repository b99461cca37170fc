/// Moves that start from a timestamp: the storage resolves it per partition (a network round trip on Kafka,
/// never on the caller's thread), then the group coordinator or the subscription registry applies the offsets.
extension Broker {
    /// ``GroupCoordinator/resetOffsets(group:topic:partition:to:onDurable:)``, resolving a `.timestamp` target
    /// first. Throws what can be told at once (`topicNotFound`, `partitionNotFound`, …); later failures (the
    /// lookup's, the coordinator's) reach `onDurable`.
    public func resetGroupOffsets(
        group: String, topic: String, partition: Int?, to target: OffsetResetTarget,
        onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) throws(BrokerError) {
        let groups = try shard(for: .group(group)).groups
        guard case .timestamp(let timestamp) = target else {
            return try groups.resetOffsets(
                group: group, topic: topic, partition: partition, to: target, onDurable: onDurable)
        }
        try ResourceName.validate(group, kind: "group")
        let (indices, storages) = try partitions(of: topic, only: partition)
        offsets(of: storages, atOrAfterTimestamp: timestamp) { result in
            do throws(BrokerError) {
                let offsets = try result.get()
                try groups.resetOffsets(
                    group: group, topic: topic, partition: partition,
                    to: .partitionOffsets(Dictionary(uniqueKeysWithValues: zip(indices, offsets))), onDurable: onDurable
                )
            } catch {
                onDurable(.failure(error))
            }
        }
    }

    /// ``SubscriptionRegistry/seek(topic:name:to:onDurable:)``, resolving a `.timestamp` target first. Throws what
    /// can be told at once; later failures reach `onDurable`.
    public func seekSubscription(
        topic: String, name: String, to target: SubscriptionSeek,
        onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) throws(BrokerError) {
        let subscriptions = try shard(for: .subscription(topic: topic, name: name)).subscriptions
        guard case .timestamp(let timestamp) = target else {
            return try subscriptions.seek(topic: topic, name: name, to: target, onDurable: onDurable)
        }
        _ = try subscriptions.status(topic: topic, name: name)
        let (_, storages) = try partitions(of: topic, only: nil)
        offsets(of: storages, atOrAfterTimestamp: timestamp) { result in
            do throws(BrokerError) {
                try subscriptions.seek(
                    topic: topic, name: name, to: .partitionOffsets(try result.get()), onDurable: onDurable)
            } catch {
                onDurable(.failure(error))
            }
        }
    }

    /// The partition `only` of `topic`, or all of them in order, with their indices.
    func partitions(of topic: String, only: Int?) throws(BrokerError) -> ([Int], [any PartitionStorage]) {
        let metadata = try existingTopic(topic)
        let indices = only.map { [$0] } ?? Array(0..<metadata.partitionCount)
        var storages: [any PartitionStorage] = []
        for index in indices { storages.append(try partition(topic: topic, partition: index)) }
        return (indices, storages)
    }
}
