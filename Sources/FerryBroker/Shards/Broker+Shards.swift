import Synchronization

/// A shard this node took on or gave up.
public enum ShardChange: Sendable {
    case loaded(BrokerShard)
    case unloaded(BrokerShard)
}

/// The shards a broker holds and who listens to changes (guarded by the broker's `shardTable` lock).
struct ShardTable: Sendable {
    var shards: [Int: BrokerShard] = [:]
    var observers: [@Sendable (ShardChange) -> Void] = []
}

/// Which shards of Ferry's own state this node holds: all of them on one node; on a cluster of gateways, the
/// ones it owns now (the cluster membership loads and unloads them as Kafka assigns them).
extension Broker {
    /// The shards held here, by index.
    public var localShards: [BrokerShard] {
        shardTable.withLock { $0.shards.values.sorted { $0.index < $1.index } }
    }

    /// The shard `index` if this node holds it.
    public func localShard(_ index: Int) -> BrokerShard? { shardTable.withLock { $0.shards[index] } }

    /// The index of the shard `key` lives in.
    public func shardIndex(of key: StateShardKey) -> Int { key.shard(among: stateShardCount) }

    /// The shard `key` lives in; throws `unavailable` (503, retried) when this node does not hold it (another
    /// node owns it, or ownership is moving).
    public func shard(for key: StateShardKey) throws(BrokerError) -> BrokerShard {
        let index = shardIndex(of: key)
        guard let shard = localShard(index) else {
            throw .unavailable("state shard \(index) is not served by this node right now; retry")
        }
        return shard
    }

    /// Calls `observer` with every shard held now (as `.loaded`), then with every later change, in order.
    /// `observer` runs on the thread that loads or unloads a shard and must not call back into shard loading.
    public func observeShards(_ observer: @escaping @Sendable (ShardChange) -> Void) {
        let held = shardTable.withLock { table in
            table.observers.append(observer)
            return table.shards.values.sorted { $0.index < $1.index }
        }
        for shard in held { observer(.loaded(shard)) }
    }

    /// Takes on shard `index`: replays its journals (blocks on storage reads), then serves it. Returns the shard
    /// held already if there is one. One caller at a time per shard (start-up, or the cluster membership).
    @discardableResult
    public func loadShard(_ index: Int) throws(BrokerError) -> BrokerShard {
        guard (0..<stateShardCount).contains(index) else {
            throw .internal("state shard \(index) outside 0..<\(stateShardCount)")
        }
        if let held = localShard(index) { return held }
        let shard = try BrokerShard(index: index, broker: self)
        let observers = shardTable.withLock { table in
            table.shards[index] = shard
            return table.observers
        }
        for observer in observers { observer(.loaded(shard)) }
        return shard
    }

    /// Gives up shard `index`: requests for it fail with `unavailable` from now on, observers hear of it (webhook
    /// delivery stops), and its journals are fenced once the appends under way finished (at most
    /// `timeoutMilliseconds`). Blocks. Does nothing for a shard not held.
    public func unloadShard(_ index: Int, timeoutMilliseconds: Int = 5_000) {
        let (shard, observers) = shardTable.withLock { table in
            (table.shards.removeValue(forKey: index), table.observers)
        }
        guard let shard else { return }
        for observer in observers { observer(.unloaded(shard)) }
        shard.close(timeoutMilliseconds: timeoutMilliseconds)
    }
}
