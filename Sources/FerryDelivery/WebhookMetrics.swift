import CoreMetrics
import FerrySystem

/// One subscription's delivery metrics (labels `topic`, `subscription`), created once when its runner starts
/// and destroyed when the subscription goes away. Thread-safe (swift-metrics handlers are).
struct WebhookMetrics: Sendable {
    /// Attempts made (each POST, including retries).
    let attempts: Counter
    /// Attempts answered 2xx.
    let deliveries: Counter
    /// Attempts that failed (any non-2xx, timeout, refused connection, refused address).
    let failures: Counter
    /// Batches given up on and dead-lettered.
    let deadLettered: Counter
    /// Latency of each attempt.
    let duration: Timer

    init(topic: String, subscription: String, factory: any MetricsFactory) {
        let dimensions = [("topic", topic), ("subscription", subscription)]
        attempts = Counter(label: "ferry_webhook_attempts_total", dimensions: dimensions, factory: factory)
        deliveries = Counter(label: "ferry_webhook_deliveries_total", dimensions: dimensions, factory: factory)
        failures = Counter(label: "ferry_webhook_failures_total", dimensions: dimensions, factory: factory)
        deadLettered = Counter(label: "ferry_webhook_dead_lettered_total", dimensions: dimensions, factory: factory)
        duration = Timer(label: "ferry_webhook_delivery_duration", dimensions: dimensions, factory: factory)
    }

    func record(latency: Duration) {
        duration.recordNanoseconds(latency.wholeNanoseconds)
    }

    func destroy() {
        attempts.destroy()
        deliveries.destroy()
        failures.destroy()
        deadLettered.destroy()
        duration.destroy()
    }
}
