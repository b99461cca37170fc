import FerryBroker
import FerryDelivery
import FerryLog
import FerryTesting
import Logging
import Synchronization

/// A dispatcher over a real broker in a temp dir, sending through an ``InProcessWebhookTransport`` and timing
/// retries on a ``ManualTimerSource``: the backoff only elapses when a test advances ``timers``.
final class DeliveryHarness: Sendable {
    static let backoffBase = Duration.seconds(1)
    static let backoffCap = Duration.seconds(8)
    /// Far beyond any advance a test makes, so the periodic refresh stays out of the way.
    static let refreshInterval = Duration.seconds(3600)

    let directory = TemporaryDirectory(prefix: "ferry-delivery")
    let clock = ManualClock()
    let timers = ManualTimerSource()
    let transport = InProcessWebhookTransport()
    let broker: Broker
    let dispatcher: WebhookDispatcher

    init() throws {
        var logger = Logger(label: "delivery-test")
        logger.logLevel = .warning
        let storage = try EmbeddedStorageEngine(
            dataDirectory: directory.path, flushPolicy: .never, logger: logger, clock: clock.now)
        broker = try Broker(storage: storage, now: clock.now)
        dispatcher = WebhookDispatcher(
            broker: broker, transport: transport, timers: timers,
            configuration: .init(
                backoffBase: Self.backoffBase, backoffCap: Self.backoffCap, refreshInterval: Self.refreshInterval),
            logger: logger, now: clock.now)
        dispatcher.start()
    }

    func stop() {
        dispatcher.stop()
        broker.shutdown()
        directory.remove()
    }

    /// Creates topic `t` (one partition) and subscription `s` on it from the earliest offset.
    func subscribe(maxAttempts: Int = 8) throws {
        _ = try broker.createTopic(name: "t")
        try registry().create(
            SubscriptionConfig(topic: "t", name: "s", url: "http://receiver.test/hook", maxAttempts: maxAttempts),
            start: .earliest
        ) { _ in }
    }

    /// Appends one JSON message per value to `t`.
    func produce(_ values: Int...) throws {
        var batch = ProduceBatch()
        for value in values {
            batch.records.append(
                .init(
                    key: nil, value: batch.store("\(value)".utf8), valueFormat: .json, headers: 0..<0, partition: 0,
                    timestamp: nil))
        }
        try broker.produce(topic: "t", batch: batch) { _ in }
    }

    func status() throws -> SubscriptionStatus { try registry().status(topic: "t", name: "s") }

    /// The registry of the shard subscription `t`/`s` lives in.
    func registry() throws -> SubscriptionRegistry {
        try broker.shard(for: .subscription(topic: "t", name: "s")).subscriptions
    }

    /// The delay of the retry timer, once the failed attempt's outcome has armed it (the soonest pending timer;
    /// the periodic refresh is the other one).
    func retryDelay() async -> Duration {
        await timers.waitUntilPending(2)
        return timers.pendingDelays[0]
    }
}

/// Runs `body` with a fresh harness and always stops it.
func withHarness(_ body: (DeliveryHarness) async throws -> Void) async throws {
    let harness = try DeliveryHarness()
    defer { harness.stop() }
    try await body(harness)
}
