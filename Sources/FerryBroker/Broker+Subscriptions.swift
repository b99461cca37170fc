import Synchronization

/// Subscription wiring: the internal `__subscriptions` topic.
extension Broker {
    /// The internal topic holding webhook subscriptions and their positions.
    public static let subscriptionStateTopic = "__subscriptions"

    static func makeSubscriptionRegistry(storage: any StorageEngine, now: @escaping @Sendable () -> Int64)
        throws(BrokerError) -> SubscriptionRegistry
    {
        guard let partition = storage.partition(topic: subscriptionStateTopic, partition: 0) else {
            throw .internal("internal topic \(subscriptionStateTopic) has no partition 0")
        }
        return SubscriptionRegistry(journal: SubscriptionStateLog(partition: partition, now: now), now: now)
    }

    /// Binds the registry to this broker, replays `__subscriptions` and, when its history is much longer than
    /// the live state (position commits only add), replaces it by a snapshot. Start-up only.
    func restoreSubscriptions() throws(BrokerError) {
        subscriptions.broker.withLock { $0 = WeakBroker(self) }
        let replayed = try subscriptions.restore()
        try subscriptions.journal.compact(replayed: replayed, snapshot: subscriptions.snapshotEntries())
    }
}
