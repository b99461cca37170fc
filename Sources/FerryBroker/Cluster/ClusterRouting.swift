import Synchronization

/// One Ferry node as the cluster sees it (`GET /v1/cluster`).
public struct ClusterNodeStatus: Sendable, Equatable {
    public var nodeID: String
    /// Where other nodes forward requests for what this node owns (`--advertise-url`).
    public var url: String
    /// Whether it was heard from within the liveness timeout (and did not announce it was leaving).
    public var alive: Bool
    /// The state shards it owns.
    public var shards: [Int]
    public var groups: Int
    public var queues: Int
    public var subscriptions: Int

    public init(
        nodeID: String, url: String, alive: Bool, shards: [Int], groups: Int, queues: Int, subscriptions: Int
    ) {
        self.nodeID = nodeID
        self.url = url
        self.alive = alive
        self.shards = shards
        self.groups = groups
        self.queues = queues
        self.subscriptions = subscriptions
    }
}

/// Where a state shard is served from.
public enum ShardOwner: Sendable, Equatable {
    /// This node holds it.
    case local
    /// Another live node owns it: forward there (its advertised base URL).
    case remote(nodeID: String, url: String)
    /// Nobody can be named right now (ownership is moving): answer 503 with `Retry-After`.
    case unknown
}

/// What the HTTP API needs to know about the cluster of gateways this node belongs to: who owns each state
/// shard, and the nodes. Never blocks (a view kept fresh in the background).
public protocol ClusterRouting: Sendable {
    var clusterName: String { get }
    var nodeID: String { get }
    /// Whether several gateways may share the state (requests for shards held elsewhere are forwarded).
    var isDistributed: Bool { get }
    func owner(ofShard shard: Int) -> ShardOwner
    /// Every node known (this one first), with liveness and what it owns.
    func nodes() -> [ClusterNodeStatus]
}

/// Where this node answers (`--advertise-url`), settable once the listening port is known (`--port 0`).
public final class AdvertisedURL: Sendable {
    private let value: Mutex<String>

    public init(_ url: String) { value = Mutex(url) }

    public var url: String {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// One node that holds every shard (the embedded engine, or a single process): nothing is forwarded.
public struct SingleNodeCluster: ClusterRouting {
    public let clusterName: String
    public let nodeID: String
    public let address: AdvertisedURL
    let broker: Broker

    public init(broker: Broker, clusterName: String, nodeID: String, address: AdvertisedURL) {
        self.broker = broker
        self.clusterName = clusterName
        self.nodeID = nodeID
        self.address = address
    }

    public var isDistributed: Bool { false }

    public func owner(ofShard shard: Int) -> ShardOwner { broker.localShard(shard) == nil ? .unknown : .local }

    public func nodes() -> [ClusterNodeStatus] { [broker.localNodeStatus(nodeID: nodeID, url: address.url)] }
}

extension Broker {
    /// This node's entry of `GET /v1/cluster`: the shards it holds and how many groups, queues and
    /// subscriptions they have.
    public func localNodeStatus(nodeID: String, url: String) -> ClusterNodeStatus {
        let shards = localShards
        return ClusterNodeStatus(
            nodeID: nodeID, url: url, alive: true, shards: shards.map(\.index),
            groups: shards.reduce(0) { $0 + $1.groups.count }, queues: shards.reduce(0) { $0 + $1.queues.count },
            subscriptions: shards.reduce(0) { $0 + $1.subscriptions.count })
    }
}
