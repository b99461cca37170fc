import CoreMetrics
import FerryBroker
import FerrySystem
import FerryWebhooks
import Logging
import Synchronization

/// Pushes every webhook subscription's messages to its URL (API.md "Webhook subscriptions").
///
/// One ``SubscriptionRunner`` per subscription, each with an independent cursor per partition (a slow or
/// failing partition never stalls another). No thread of its own: cursors wait for new messages with the
/// partitions' append waiters, retries and the periodic refresh are timers of the injected ``TimerSource``,
/// reads and the private-network check run on Dispatch global queues, and every POST goes through one shared
/// ``WebhookTransport`` (in the server: libcurl, one `curl_multi` thread). The registry
/// (``SubscriptionRegistry``) holds the durable state; the dispatcher follows its changes through an observer
/// and reports outcomes back (commit after each 2xx batch).
///
/// Thread-safety: `Sendable`; every method may be called from any thread. Lock order: the runner table, then a
/// runner, then the registry. Nothing here runs on the transport's completion thread except noting the time
/// and hopping off it.
public final class WebhookDispatcher: Sendable {
    /// Timing and limits (tests shorten the backoff).
    public struct Configuration: Sendable {
        /// First retry after about `backoffBase` (full jitter), doubling up to `backoffCap`.
        public var backoffBase: Duration
        public var backoffCap: Duration
        /// `--webhook-deny-private`: resolve each target before every attempt, refuse private, loopback and
        /// link-local addresses, and pin the checked address.
        public var denyPrivateNetworks: Bool
        /// Batches stop growing past this many bytes of keys and values (the first message always goes).
        public var maxBatchBytes: Int
        /// How often every subscription is re-synchronized with the registry and its topic (new partitions).
        public var refreshInterval: Duration

        public init(
            backoffBase: Duration = .seconds(1), backoffCap: Duration = .seconds(300),
            denyPrivateNetworks: Bool = false,
            maxBatchBytes: Int = 8 << 20, refreshInterval: Duration = .seconds(1)
        ) {
            self.backoffBase = backoffBase
            self.backoffCap = backoffCap
            self.denyPrivateNetworks = denyPrivateNetworks
            self.maxBatchBytes = maxBatchBytes
            self.refreshInterval = refreshInterval
        }
    }

    let broker: Broker
    let transport: any WebhookTransport
    let timers: any TimerSource
    let policy: WebhookTargetPolicy
    let backoff: RetryBackoff
    let configuration: Configuration
    let factory: any MetricsFactory
    let logger: Logger
    let now: @Sendable () -> Int64
    let runners = Mutex<(stopped: Bool, table: [RunnerKey: SubscriptionRunner])>((false, [:]))

    struct RunnerKey: Hashable, Sendable {
        var topic: String
        var name: String
    }

    /// - Parameters:
    ///   - transport: sends every attempt (shared by all subscriptions; owned by the caller, who shuts it down
    ///     after ``stop()``).
    ///   - timers: the clock of attempt latencies and the timers of retry backoff and the periodic refresh
    ///     (tests step a manual one).
    ///   - factory: where the per-subscription metrics are created (the `/metrics` endpoint's factory).
    ///   - now: wall-clock milliseconds (webhook timestamps, `Retry-After` dates).
    public init(
        broker: Broker, transport: any WebhookTransport, timers: any TimerSource = .system,
        configuration: Configuration = Configuration(), factory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger, now: @escaping @Sendable () -> Int64 = { WallClock.milliseconds() }
    ) {
        self.broker = broker
        self.transport = transport
        self.timers = timers
        self.policy = WebhookTargetPolicy(denyPrivateNetworks: configuration.denyPrivateNetworks)
        self.backoff = RetryBackoff(base: configuration.backoffBase, cap: configuration.backoffCap)
        self.configuration = configuration
        self.factory = factory
        self.logger = logger
        self.now = now
    }

    /// Starts delivering every subscription of the shards this node holds, and follows the registries' changes
    /// and the shards coming and going (a shard given up stops its subscriptions' deliveries at once).
    public func start() {
        broker.observeShards { [weak self] change in
            switch change {
            case .loaded(let shard):
                shard.subscriptions.addObserver { [weak self] topic, name in
                    self?.synchronize(topic: topic, name: name)
                }
                for (topic, name) in shard.subscriptions.keys() { self?.synchronize(topic: topic, name: name) }
            case .unloaded(let shard):
                for (topic, name) in shard.subscriptions.keys() { self?.synchronize(topic: topic, name: name) }
            }
        }
        refreshAll()
    }

    /// The registry of the subscription's shard, when this node holds it.
    func registry(topic: String, name: String) -> SubscriptionRegistry? {
        broker.localShard(broker.shardIndex(of: .subscription(topic: topic, name: name)))?.subscriptions
    }

    /// Stops every delivery at once: transfers in flight are cancelled, unfinished batches are not committed
    /// (they are delivered again after a restart). Idempotent.
    public func stop() {
        let all = runners.withLock { state -> [SubscriptionRunner] in
            state.stopped = true
            defer { state.table = [:] }
            return Array(state.table.values)
        }
        for runner in all { runner.stop(destroyMetrics: false) }
    }

    /// Brings the runner of one subscription in line with the registry: starts, reconfigures, restarts after a
    /// seek, or stops it.
    func synchronize(topic: String, name: String) {
        let key = RunnerKey(topic: topic, name: name)
        let registry = registry(topic: topic, name: name)
        let snapshot = registry?.snapshot(topic: topic, name: name)
        let (stopped, existing, removed) = runners.withLock {
            state -> (Bool, SubscriptionRunner?, SubscriptionRunner?) in
            guard !state.stopped else { return (true, nil, nil) }
            if let snapshot, let runner = state.table[key], runner.createdAt == snapshot.config.createdAt,
                runner.registry === registry
            {
                return (false, runner, nil)
            }
            return (false, nil, state.table.removeValue(forKey: key))
        }
        guard !stopped else { return }
        // The old incarnation's metrics go before the new one creates its own (same labels).
        removed?.stop(destroyMetrics: true)
        if let existing { return existing.synchronize() }
        guard let snapshot, let registry else { return }
        let runner = SubscriptionRunner(dispatcher: self, registry: registry, snapshot: snapshot)
        let installed = runners.withLock { state -> Bool? in
            guard !state.stopped else { return nil }
            guard state.table[key] == nil else { return false }
            state.table[key] = runner
            return true
        }
        switch installed {
        case true?: runner.synchronize()
        // Lost a race with another synchronize: bring the runner it installed (same metrics handlers) in line.
        case false?: synchronize(topic: topic, name: name)
        case nil: break
        }
    }

    /// Synchronizes every subscription (and drops runners of vanished ones), then again after the refresh
    /// interval, until stopped.
    func refreshAll() {
        let live = broker.localShards.flatMap { $0.subscriptions.keys() }
        let known = runners.withLock { state -> [RunnerKey]? in state.stopped ? nil : Array(state.table.keys) }
        guard let known else { return }
        var seen = Set<RunnerKey>()
        for (topic, name) in live {
            seen.insert(RunnerKey(topic: topic, name: name))
            synchronize(topic: topic, name: name)
        }
        for key in known where !seen.contains(key) { synchronize(topic: key.topic, name: key.name) }
        timers.schedule(after: configuration.refreshInterval) { [weak self] in self?.refreshAll() }
    }
}
