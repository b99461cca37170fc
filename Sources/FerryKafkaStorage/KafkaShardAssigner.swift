import FerryBroker
import FerryKafka
import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Shares the state shards among the gateways of one Ferry cluster with Kafka's own consumer-group protocol: every
/// gateway is a member of group `__ferry_cluster.<name>` subscribed to `__ferry_groups`, whose partitions are the
/// shards. Kafka assigns each partition to exactly one live member (cooperative-sticky: a rebalance moves only what
/// must move), so Kafka decides ownership and notices a dead gateway after the session timeout.
///
/// A shard is loaded (its journals replayed to their end, which holds every write the previous owner had
/// acknowledged) when assigned and given up (journals fenced after appends under way finish) when revoked, on the
/// membership's polling thread; revocation completes before Kafka hands the partition to anyone else.
public final class KafkaShardAssigner: ShardAssigner {
    let configuration: KafkaConfiguration
    let groupID: String
    let sessionTimeout: Duration
    let logger: Logger
    private let membership = Mutex<KafkaGroupMembership?>(nil)
    private let firstAssignment = OneShotSignal()

    /// The Kafka consumer group whose members are the gateways of cluster `clusterName`.
    public static func groupID(clusterName: String) -> String { "__ferry_cluster.\(clusterName)" }

    public init(configuration: KafkaConfiguration, clusterName: String, sessionTimeout: Duration, logger: Logger) {
        var configuration = configuration
        configuration.forwardLogs(to: logger, source: "cluster membership")
        self.configuration = configuration
        self.groupID = Self.groupID(clusterName: clusterName)
        self.sessionTimeout = sessionTimeout
        self.logger = logger
    }

    public func start(broker: Broker, timeoutMilliseconds: Int) -> Bool {
        let member: KafkaGroupMembership
        do {
            member = try KafkaGroupMembership(
                configuration: configuration, groupID: groupID, topic: Broker.groupStateTopic,
                sessionTimeout: sessionTimeout
            ) { [self] change in apply(change, to: broker) }
        } catch {
            logger.error(
                "cannot join the cluster's Kafka group", metadata: ["group": "\(groupID)", "error": "\(error)"])
            return false
        }
        membership.withLock { $0 = member }
        return firstAssignment.wait(timeout: .milliseconds(timeoutMilliseconds))
    }

    public func stop() {
        membership.withLock { $0 }?.close(timeout: .seconds(5))
    }

    /// On the membership's thread: loads assigned shards (retrying a failed replay a few times: the cluster may be
    /// briefly unreachable) and gives up revoked ones.
    func apply(_ change: KafkaGroupMembership.Change, to broker: Broker) {
        switch change {
        case .assigned(let partitions):
            for partition in partitions.sorted() {
                var attempt = 0
                while true {
                    do {
                        try broker.loadShard(Int(partition))
                        break
                    } catch {
                        attempt += 1
                        logger.warning(
                            "cannot load state shard", metadata: ["shard": "\(partition)", "error": "\(error)"])
                        guard attempt < 5 else { break }
                        usleep(1_000_000)
                    }
                }
            }
            if !partitions.isEmpty {
                logger.info(
                    "took over state shards",
                    metadata: ["shards": "\(partitions.sorted())", "held": "\(broker.localShards.map(\.index))"])
            }
            firstAssignment.set()
        case .revoked(let partitions):
            for partition in partitions.sorted() { broker.unloadShard(Int(partition)) }
            if !partitions.isEmpty {
                logger.info("gave up state shards", metadata: ["shards": "\(partitions.sorted())"])
            }
        }
    }
}
