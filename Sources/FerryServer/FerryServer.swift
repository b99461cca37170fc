import CoreMetrics
import Dispatch
import FerryAPI
import FerryBroker
import FerryCurl
import FerryDelivery
import FerryHTTP
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
    /// The one `curl_multi` driver every webhook delivery goes through (behind a ``CurlWebhookTransport``).
    let webhookDriver: CurlMultiDriver
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
        self.broker = try Broker(storage: storage, configuration: configuration.broker, now: now)
        let metrics = FerryMetrics()
        self.metrics = metrics
        self.api = FerryAPI(
            broker: broker, logger: logger, accessControl: configuration.accessControl, metrics: metrics,
            denyPrivateWebhooks: configuration.webhooks.denyPrivateNetworks, timers: configuration.timers)
        do {
            self.webhookDriver = try CurlMultiDriver(maxIdleHandles: 64)
        } catch {
            throw .internal("cannot start the webhook driver: \(error)")
        }
        self.webhooks = WebhookDispatcher(
            broker: broker, transport: CurlWebhookTransport(driver: webhookDriver), timers: configuration.timers,
            configuration: configuration.webhooks, factory: metrics.factory, logger: logger, now: now)
        let router = api.makeRouter()
        self.http = HTTPServer(
            configuration: configuration.http, router: router, logger: logger,
            observer: metrics.httpObserver(for: router))
        metrics.attach(http)
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
