import FerryBroker

/// The shard that holds a group, queue, subscription or remembered answer. On one node it is always here; on a
/// cluster of gateways a request reaches a handler only on the owner (others forward it), so a missing shard
/// means ownership is moving: `unavailable` (503 with `Retry-After`).
extension FerryAPI {
    func groups(_ group: String) throws(BrokerError) -> GroupCoordinator {
        try broker.shard(for: .group(group)).groups
    }

    func queues(topic: String, queue: String) throws(BrokerError) -> QueueCoordinator {
        try broker.shard(for: .queue(topic: topic, name: queue)).queues
    }

    func subscriptions(topic: String, name: String) throws(BrokerError) -> SubscriptionRegistry {
        try broker.shard(for: .subscription(topic: topic, name: name)).subscriptions
    }
}
