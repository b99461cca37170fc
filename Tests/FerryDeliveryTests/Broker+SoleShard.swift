import FerryBroker

/// A one-node broker holds every shard; with the default configuration (one shard) these are its coordinators.
extension Broker {
    var soleShard: BrokerShard {
        guard let shard = localShards.first, stateShardCount == 1 else { fatalError("not a one-shard broker") }
        return shard
    }
    var groups: GroupCoordinator { soleShard.groups }
    var queues: QueueCoordinator { soleShard.queues }
    var subscriptions: SubscriptionRegistry { soleShard.subscriptions }
    var idempotency: IdempotencyCache { soleShard.idempotency }
}
