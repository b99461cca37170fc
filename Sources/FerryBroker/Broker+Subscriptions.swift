import Synchronization

/// Subscription wiring: the internal `__ferry_subscriptions` topic.
extension Broker {
    /// The internal topic holding webhook subscriptions and their positions.
    public static let subscriptionStateTopic = "__ferry_subscriptions"

    static func makeSubscriptionRegistry(storage: any StorageEngine, now: @escaping @Sendable () -> Int64)
        throws(BrokerError) -> SubscriptionRegistry
    {
        guard let partition = storage.partition(topic: subscriptionStateTopic, partition: 0) else {
            throw .internal("internal topic \(subscriptionStateTopic) has no partition 0")
        }
        return SubscriptionRegistry(journal: SubscriptionStateLog(partition: partition, now: now), now: now)
    }
}
