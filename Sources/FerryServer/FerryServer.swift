import CoreMetrics
import Dispatch
import FerryAPI
import FerryBroker
import FerryCurl
import FerryDelivery
import FerryHTTP
import FerryKafkaListener
import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The whole server: storage → broker → REST API → HTTP server, plus webhook delivery (over libcurl) and the
/// periodic housekeeping. The composition root: the one place the concrete parts are chosen and wired.
///
/// `ferry serve` and the integration tests build it the same way. Lifecycle: `init` (recovers storage) →
/// ``start()`` (listens; ready) → ``shutdown()`` (stops accepting, answers held long-polls, lets in-flight
/// requests finish, flushes storage). Thread-safe.
public final class FerryServer: Sendable {
    public struct Configuration: Sendable {
        public var http: HTTPServer.Configuration
        public var broker: BrokerConfiguration
        /// How often retention runs.
        public var retentionCheckIntervalMilliseconds: Int
        /// How long shutdown waits for in-flight requests.
        public var shutdownGracePeriod: Duration
        /// Bearer-token access control (`--auth-file`); nil: the API is open.
        public var accessControl: AccessControl?
        /// Webhook delivery: backoff timing and `--webhook-deny-private` (`webhooks.denyPrivateNetworks`).
        public var webhooks: WebhookDispatcher.Configuration
        /// Where long-poll deadlines and webhook backoff are scheduled (a manual source in tests).
        public var timers: any TimerSource = .system
        /// The Ferry cluster this node belongs to (`--cluster-name`), its id in it (`--node-id`) and where other
        /// nodes reach it (`--advertise-url`); shown by `GET /v1/cluster` even for one node.
        public var clusterName = "ferry"
        public var nodeID = "ferry"
        public var advertiseURL = ""
        /// Set where several gateways share the state (the Kafka engine): it decides which shards this node
        /// holds; requests for others are forwarded to their owners. Nil: this node holds every shard.
        public var shardAssigner: (any ShardAssigner)?
        /// How long ``FerryServer/start()`` waits for the first shard assignment before answering ready anyway.
        public var clusterJoinTimeoutMilliseconds = 60_000
        /// The Kafka-protocol listener (`--kafka-port`); nil: off.
        public var kafka: KafkaListenerConfiguration?
        /// The address Kafka clients are told to connect to (`--kafka-advertise`); nil: the listener's host and
        /// bound port.
        public var kafkaAdvertise: (host: String, port: Int)?

        public init(
            http: HTTPServer.Configuration = .init(), broker: BrokerConfiguration = .init(),
            retentionCheckIntervalMilliseconds: Int = 5000, shutdownGracePeriod: Duration = .seconds(8),
            webhooks: WebhookDispatcher.Configuration = .init()
        ) {
            self.http = http
            self.broker = broker
            self.retentionCheckIntervalMilliseconds = retentionCheckIntervalMilliseconds
            self.shutdownGracePeriod = shutdownGracePeriod
            self.webhooks = webhooks
        }
    }

    public let configuration: Configuration
    public let broker: Broker
    public let api: FerryAPI
    public let http: HTTPServer
    /// This server's metrics registry (`GET /metrics`); never the process-global `MetricsSystem`.
    public let metrics: FerryMetrics
    /// Pushes webhook subscriptions' messages (started by ``start()``, stopped first by ``shutdown()``).
    public let webhooks: WebhookDispatcher
    /// The one `curl_multi` driver every webhook delivery and forwarded request goes through.
    let webhookDriver: CurlMultiDriver
    /// The Kafka-protocol door (nil unless configured).
    public let kafka: KafkaListener?
    let kafkaHandler: KafkaProtocolHandler?
    /// The heartbeats of the gateways sharing the state (nil on one node).
    let directory: ClusterDirectory?
    /// This node's URL for the others (the default needs the bound port).
    let address: AdvertisedURL
    let logger: Logger
    let stopped = Atomic<Bool>(false)

    /// Opens the broker over `storage` (replaying group and subscription state) and builds the HTTP server and
    /// the webhook dispatcher; does not listen or deliver yet.
    public init(
        configuration: Configuration, storage: any StorageEngine, logger: Logger,
        now: @escaping @Sendable () -> Int64 = FerryServer.wallClockMilliseconds
    ) throws(BrokerError) {
        self.configuration = configuration
        self.logger = logger
        var brokerConfiguration = configuration.broker
        if configuration.shardAssigner != nil { brokerConfiguration.ownsAllShards = false }
        self.broker = try Broker(storage: storage, configuration: brokerConfiguration, now: now)
        let metrics = FerryMetrics()
        self.metrics = metrics
        do {
            self.webhookDriver = try CurlMultiDriver(maxIdleHandles: 64)
        } catch {
            throw .internal("cannot start the webhook driver: \(error)")
        }
        let address = AdvertisedURL(configuration.advertiseURL)
        self.address = address
        let cluster: any ClusterRouting
        if configuration.shardAssigner != nil {
            let directory = try ClusterDirectory(
                broker: broker,
                configuration: .init(
                    clusterName: configuration.clusterName, nodeID: configuration.nodeID, address: address),
                logger: logger)
            self.directory = directory
            cluster = directory
        } else {
            self.directory = nil
            cluster = SingleNodeCluster(
                broker: broker, clusterName: configuration.clusterName, nodeID: configuration.nodeID, address: address)
        }
        self.api = FerryAPI(
            broker: broker, logger: logger, accessControl: configuration.accessControl, metrics: metrics,
            denyPrivateWebhooks: configuration.webhooks.denyPrivateNetworks, timers: configuration.timers,
            cluster: cluster, forwarder: CurlRequestForwarder(driver: webhookDriver))
        self.webhooks = WebhookDispatcher(
            broker: broker, transport: CurlWebhookTransport(driver: webhookDriver), timers: configuration.timers,
            configuration: configuration.webhooks, factory: metrics.factory, logger: logger, now: now)
        let router = api.makeRouter()
        self.http = HTTPServer(
            configuration: configuration.http, router: router, logger: logger,
            observer: metrics.httpObserver(for: router))
        metrics.attach(http)
        if let kafkaConfiguration = configuration.kafka {
            let handler = KafkaProtocolHandler(
                broker: broker,
                configuration: .init(
                    advertisedHost: configuration.kafkaAdvertise?.host ?? kafkaConfiguration.host,
                    advertisedPort: configuration.kafkaAdvertise?.port ?? kafkaConfiguration.port,
                    clusterID: configuration.clusterName,
                    authenticator: configuration.accessControl.map { TokenKafkaAuthenticator(access: $0) }),
                logger: logger)
            self.kafkaHandler = handler
            let listener = KafkaListener(configuration: kafkaConfiguration, handler: handler, logger: logger)
            self.kafka = listener
            let counters = listener.counters
            metrics.addSource {
                [
                    StorageMetric(
                        "ferry_kafka_listener_open_connections", .gauge,
                        Int64(counters.openConnections.load(ordering: .relaxed))),
                    StorageMetric(
                        "ferry_kafka_listener_connections_accepted_total", .counter,
                        Int64(counters.acceptedConnections.load(ordering: .relaxed))),
                    StorageMetric(
                        "ferry_kafka_listener_requests_total", .counter,
                        Int64(counters.requests.load(ordering: .relaxed))),
                    StorageMetric(
                        "ferry_kafka_listener_refused_connections_total", .counter,
                        Int64(counters.malformedFrames.load(ordering: .relaxed))),
                    StorageMetric(
                        "ferry_kafka_listener_received_bytes_total", .counter,
                        Int64(counters.bytesReceived.load(ordering: .relaxed))),
                    StorageMetric(
                        "ferry_kafka_listener_sent_bytes_total", .counter,
                        Int64(counters.bytesSent.load(ordering: .relaxed))),
                ]
            }
        } else {
            self.kafkaHandler = nil
            self.kafka = nil
        }
        storage.observeSyncs { nanoseconds in metrics.recordSync(nanoseconds: nanoseconds) }
        http.onShutdown { [api] in
            api.setReady(false)
            api.answerHeldRequests()
        }
    }

    /// The swift-metrics factory of this server's registry: give it (`factory:`) to whatever records metrics.
    public var metricsFactory: any MetricsFactory { metrics.factory }

    /// The port it listens on (after ``start()``).
    public var port: Int { http.boundPort }

    /// Listens, marks the API ready and starts housekeeping (member eviction, retention).
    public func start() throws(HTTPServerError) {
        try http.start()
        if let kafka, let kafkaHandler {
            do {
                try kafka.start()
            } catch {
                http.shutdown(gracePeriod: .zero)
                throw HTTPServerError(error)
            }
            kafkaHandler.listening(on: kafka.port)
        }
        if address.url.isEmpty { address.url = "http://\(configuration.http.host):\(http.boundPort)" }
        if let assigner = configuration.shardAssigner, let directory {
            directory.start()
            if !assigner.start(broker: broker, timeoutMilliseconds: configuration.clusterJoinTimeoutMilliseconds) {
                logger.warning("no shard assignment from the cluster yet; serving, and forwarding what others own")
            }
        }
        api.setReady(true)
        webhooks.start()
        scheduleHousekeeping()
        scheduleRetention()
    }

    /// Graceful stop: no new connections, held requests answered, in-flight ones finished, storage flushed.
    /// Idempotent; blocks up to the grace period.
    public func shutdown() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        api.setReady(false)
        webhooks.stop()
        // Give the shards up first, so that other gateways take them over while this one drains.
        configuration.shardAssigner?.stop()
        directory?.stop()
        kafka?.stop()
        http.shutdown(gracePeriod: configuration.shutdownGracePeriod)
        webhookDriver.shutdown()
        broker.shutdown()
    }

    func scheduleHousekeeping() {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(100)) { [self] in
            guard !stopped.load(ordering: .acquiring) else { return }
            broker.housekeeping()
            scheduleHousekeeping()
        }
    }

    func scheduleRetention() {
        let interval = configuration.retentionCheckIntervalMilliseconds
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(interval)) { [self] in
            guard !stopped.load(ordering: .acquiring) else { return }
            broker.enforceRetention()
            scheduleRetention()
        }
    }

    /// Milliseconds since the Unix epoch.
    public static let wallClockMilliseconds: @Sendable () -> Int64 = { WallClock.milliseconds() }
}
