import Prometheus

/// The series whose values are read from state at scrape time (offsets, lag, queue counts, socket totals…),
/// kept in the registry between scrapes so that one renderer emits everything.
///
/// Each scrape calls ``gauge(_:_:_:)`` / ``counter(_:_:total:)`` for every series that exists now, then
/// ``sweep()``, which unregisters the series not reported this time (a deleted topic's or group's series
/// disappear). A counter mirrors a running total kept elsewhere: it advances by the difference, and restarts
/// from the total when the total went down (its source was re-created). Not thread-safe: ``FerryMetrics``
/// uses it under its scrape lock only.
final class ScrapedSeries {
    struct Key: Hashable {
        var name: String
        var labels: [String]
    }

    let registry: PrometheusCollectorRegistry
    private var gauges: [Key: Prometheus.Gauge] = [:]
    private var counters: [Key: (counter: Prometheus.Counter, total: Int)] = [:]
    private var touched: Set<Key> = []

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Sets gauge `name{labels}` to `value`.
    func gauge(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        let key = Key(name: name, labels: labels.flatMap { [$0.0, $0.1] })
        touched.insert(key)
        if let gauge = gauges[key] {
            gauge.set(value)
            return
        }
        let gauge = registry.makeGauge(descriptor: FerryMetricsFactory.descriptor(name), labels: labels)
        gauge.set(value)
        gauges[key] = gauge
    }

    /// Sets gauge `name{labels}` to an integer `value`.
    func gauge(_ name: String, _ labels: [(String, String)] = [], _ value: Int64) {
        gauge(name, labels, Double(value))
    }

    /// Makes counter `name{labels}` show `total`, a running total that normally only grows.
    func counter(_ name: String, _ labels: [(String, String)] = [], total: Int) {
        let key = Key(name: name, labels: labels.flatMap { [$0.0, $0.1] })
        touched.insert(key)
        let total = max(0, total)
        if let (counter, last) = counters[key] {
            if total < last {
                counter.reset()
                counter.increment(by: Int64(total))
            } else if total > last {
                counter.increment(by: Int64(total - last))
            }
            counters[key] = (counter, total)
            return
        }
        let counter = registry.makeCounter(descriptor: FerryMetricsFactory.descriptor(name), labels: labels)
        counter.reset()
        counter.increment(by: Int64(total))
        counters[key] = (counter, total)
    }

    /// Unregisters the series not reported since the last sweep.
    func sweep() {
        for (key, gauge) in gauges where !touched.contains(key) {
            registry.unregisterGauge(gauge)
            gauges[key] = nil
        }
        for (key, entry) in counters where !touched.contains(key) {
            registry.unregisterCounter(entry.counter)
            counters[key] = nil
        }
        touched.removeAll(keepingCapacity: true)
    }
}
