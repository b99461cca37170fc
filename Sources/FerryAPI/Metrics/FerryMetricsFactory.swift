import CoreMetrics
import Prometheus

/// The swift-metrics backend of one server: every `Counter`, `Gauge`, `Timer`… made through it lands in
/// its own ``PrometheusCollectorRegistry`` (never the global `MetricsSystem`, so servers in one process stay
/// apart), with `# HELP` text from ``MetricCatalog`` and timers exported as histograms in seconds.
///
/// Making a metric takes the registry's lock (create metrics once, keep them); updating one does not go
/// through the factory. Same name + same labels → the same series. A name must keep one type and one set of
/// label names (the registry traps otherwise: a programming error). Thread-safe.
public struct FerryMetricsFactory: MetricsFactory, Sendable {
    /// Where the metrics live; ``FerryMetrics`` renders it.
    public let registry: PrometheusCollectorRegistry
    /// The timers (lock-free histograms, rendered after the registry).
    let timers = DurationHistograms()

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: MetricCatalog.help[name] ?? "")
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: Self.descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)])
        -> any FloatingPointCounterHandler
    {
        registry.makeCounter(descriptor: Self.descriptor(label), labels: dimensions)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: Self.descriptor(label), labels: dimensions)
    }

    /// A non-aggregating recorder is a gauge (last value); an aggregating one a histogram of raw values.
    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: Self.descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(
            descriptor: Self.descriptor(label), labels: dimensions,
            buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 100_000, 1_000_000])
    }

    /// A timer is a histogram named `<label>_seconds` with the catalog's buckets for that name, recorded
    /// without a lock (``AtomicDurationHistogram``).
    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let name = MetricCatalog.timerName(label)
        return timers.histogram(
            name: name, help: MetricCatalog.help[name] ?? "", labels: dimensions,
            buckets: MetricCatalog.durationBuckets(for: name))
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? AtomicDurationHistogram { timers.remove(histogram) }
    }
}
