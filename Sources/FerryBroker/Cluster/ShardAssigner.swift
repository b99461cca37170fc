/// Decides which state shards this node holds on a cluster of gateways (on Kafka: the consumer-group protocol
/// over the partitions of `__ferry_groups`), loading and giving them up on the broker as that changes.
public protocol ShardAssigner: Sendable {
    /// Joins, then loads every shard assigned (``Broker/loadShard(_:)``) and gives up every shard revoked
    /// (``Broker/unloadShard(_:timeoutMilliseconds:)``), in the background. Returns once this node took part in
    /// a first assignment (even an empty one) or `timeoutMilliseconds` passed, or it could not join (logged):
    /// false in those cases.
    func start(broker: Broker, timeoutMilliseconds: Int) -> Bool
    /// Gives up every shard and leaves, so that others take them over at once. Blocks.
    func stop()
}
