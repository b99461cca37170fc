import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Who is in the cluster of gateways and what each owns, as the nodes say it themselves: every node appends a
/// heartbeat (``ClusterNodeRecord``) to the internal topic `__ferry_cluster` every second and whenever the shards
/// it holds change, and reads everyone's. A node is alive while its last heartbeat is younger than the liveness
/// timeout and did not say it was leaving (wall clocks of the nodes are assumed to agree within a second or so).
///
/// Which node owns a shard is decided by Kafka's group protocol (the membership loads and gives up shards on the
/// broker); the directory only publishes and learns the outcome, so that any node can forward a request to the
/// owner. Threads: one of its own (`ferry-cluster`), which reads and publishes; lookups never block.
public final class ClusterDirectory: ClusterRouting, Sendable {
    public struct Configuration: Sendable {
        public var clusterName: String
        public var nodeID: String
        /// This node's base URL for forwarded requests (`--advertise-url`).
        public var address: AdvertisedURL
        public var heartbeatIntervalMilliseconds: Int64 = 1_000
        /// A node not heard from for this long is not alive (its shards are not forwarded to).
        public var livenessTimeoutMilliseconds: Int64 = 5_000

        public init(clusterName: String, nodeID: String, address: AdvertisedURL) {
            self.clusterName = clusterName
            self.nodeID = nodeID
            self.address = address
        }
    }

    public let configuration: Configuration
    let broker: Broker
    let journal: InternalLineJournal
    let logger: Logger

    private struct State {
        var records: [String: ClusterNodeRecord] = [:]
        /// The next offset of `__ferry_cluster` to read (nil: not started).
        var cursor: Int64?
        var lastPublished: Int64 = .min
        var dirty = true
        var stopped = false
    }
    private let state = Mutex(State())
    private let thread = Mutex<SystemThread?>(nil)
    /// Set by the thread when it ends.
    private let finished = OneShotSignal()

    public var clusterName: String { configuration.clusterName }
    public var nodeID: String { configuration.nodeID }
    public var isDistributed: Bool { true }

    /// - Throws: `internal` when the broker has no `__ferry_cluster` topic (it creates it when it does not own
    ///   every shard).
    public init(broker: Broker, configuration: Configuration, logger: Logger) throws(BrokerError) {
        guard let partition = broker.storage.partition(topic: Broker.clusterTopic, partition: 0) else {
            throw .internal("internal topic \(Broker.clusterTopic) has no partition 0")
        }
        self.broker = broker
        self.configuration = configuration
        self.journal = InternalLineJournal(partition: partition, now: broker.now)
        self.logger = logger
        broker.observeShards { [weak self] _ in self?.state.withLock { $0.dirty = true } }
    }

    /// Starts reading and publishing (at once, then every 100 ms / every heartbeat interval).
    public func start() {
        thread.withLock { slot in
            guard slot == nil else { return }
            slot = SystemThread(name: "ferry-cluster") { [self] in
                while !state.withLock({ $0.stopped }) {
                    step()
                    usleep(100_000)
                }
                finished.set()
            }
        }
    }

    /// Says this node is leaving (others stop forwarding to it at once), then stops. Blocks up to ~2 s, plus
    /// up to 3 s for a round under way (a read from an unreachable cluster is then left to finish on its own).
    public func stop() {
        let done = OneShotSignal()
        journal.append([record(leaving: true).encoded()]) { _ in done.set() }
        done.wait(timeout: .seconds(2))
        state.withLock { $0.stopped = true }
        guard let running = thread.withLock({ $0 }) else { return }
        if finished.wait(timeout: .seconds(3)) { running.join() } else { running.detach() }
    }

    /// One round: reads what others published, and publishes this node's heartbeat when due or changed.
    func step() {
        readNew()
        let time = broker.now()
        let due = state.withLock { state -> Bool in
            guard state.dirty || time - state.lastPublished >= configuration.heartbeatIntervalMilliseconds else {
                return false
            }
            state.dirty = false
            state.lastPublished = time
            return true
        }
        guard due else { return }
        let record = record(leaving: false)
        state.withLock { $0.records[record.nodeID] = record }
        journal.append([record.encoded()]) { [logger] result in
            if case .failure(let error) = result {
                logger.warning("cluster heartbeat not written", metadata: ["error": "\(error)"])
            }
        }
    }

    func record(leaving: Bool) -> ClusterNodeRecord {
        let status = broker.localNodeStatus(nodeID: configuration.nodeID, url: configuration.address.url)
        return ClusterNodeRecord(
            nodeID: status.nodeID, url: status.url, time: broker.now(), shards: leaving ? [] : status.shards,
            groups: status.groups, queues: status.queues, subscriptions: status.subscriptions, leaving: leaving)
    }

    /// Reads the heartbeats appended since the last round (starting with the last thousand).
    func readNew() {
        let partition = journal.partition
        var cursor = state.withLock { $0.cursor } ?? max(partition.startOffset, partition.endOffset - 1_000)
        while true {
            let batch: any StoredBatch
            do {
                batch = try partition.readNow(from: cursor, maxMessages: 1_000, maxBytes: 1 << 20)
            } catch .offsetOutOfRange(_, let start, let end) {
                cursor = cursor < start ? start : end
                continue
            } catch {
                break
            }
            var seen: [ClusterNodeRecord] = []
            batch.forEach { message in
                guard let value = message.value,
                    let record = ClusterNodeRecord(decoding: String(decoding: value, as: UTF8.self))
                else { return }
                seen.append(record)
            }
            state.withLock { state in
                // This node's own entry is what it last published, not an echo read back.
                for record in seen where record.nodeID != configuration.nodeID {
                    if let known = state.records[record.nodeID], known.time > record.time { continue }
                    state.records[record.nodeID] = record
                }
            }
            guard batch.position.nextOffset > cursor else { break }
            cursor = batch.position.nextOffset
        }
        state.withLock { $0.cursor = cursor }
    }

    func isAlive(_ record: ClusterNodeRecord, now: Int64) -> Bool {
        !record.leaving && now - record.time <= configuration.livenessTimeoutMilliseconds
    }

    public func owner(ofShard shard: Int) -> ShardOwner {
        if broker.localShard(shard) != nil { return .local }
        let time = broker.now()
        let candidates = state.withLock { state in
            state.records.values.filter {
                $0.nodeID != configuration.nodeID && isAlive($0, now: time) && $0.shards.contains(shard)
            }
        }
        guard let owner = candidates.max(by: { $0.time < $1.time }) else { return .unknown }
        return .remote(nodeID: owner.nodeID, url: owner.url)
    }

    public func nodes() -> [ClusterNodeStatus] {
        let time = broker.now()
        let others = state.withLock { state in
            state.records.values.filter { $0.nodeID != configuration.nodeID }.sorted { $0.nodeID < $1.nodeID }
        }
        return [broker.localNodeStatus(nodeID: configuration.nodeID, url: configuration.address.url)]
            + others.map { record in
                let alive = isAlive(record, now: time)
                return ClusterNodeStatus(
                    nodeID: record.nodeID, url: record.url, alive: alive, shards: alive ? record.shards : [],
                    groups: alive ? record.groups : 0, queues: alive ? record.queues : 0,
                    subscriptions: alive ? record.subscriptions : 0)
            }
    }
}
