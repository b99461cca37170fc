import CoreMetrics
import FerryBroker
import FerryHTTP
import FerrySystem
import Prometheus
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One server's metrics: its own Prometheus registry, the swift-metrics factory over it, and the renderer
/// of `GET /metrics`.
///
/// Hot-path metrics are swift-metrics objects made once through ``factory`` and updated lock-free (HTTP
/// requests via ``HTTPMetrics``; webhook deliveries by the dispatcher); state-derived ones are read at scrape
/// time (see `FerryAPI.collectMetrics`). Nothing is registered in the global `MetricsSystem`, so servers in
/// one process keep separate metrics. Thread-safe; scrapes are serialized by one lock that no request path
/// takes.
public final class FerryMetrics: Sendable {
    /// The version reported by `ferry_build_info`.
    public static let version = "0.1.0"

    public let registry: PrometheusCollectorRegistry
    /// Pass this to anything that records metrics (`factory:` of swift-metrics initializers).
    public let factory: FerryMetricsFactory
    /// `ferry_fsync_duration_seconds` (fed by the storage engine's flusher).
    let fsync: CoreMetrics.Timer
    /// Wall-clock seconds at creation (`ferry_process_start_time_seconds`).
    let startTime: Double
    private let scraped: Mutex<ScrapedSeries>
    private let server = Mutex<WeakHTTPServer>(WeakHTTPServer(nil))
    private let sources = Mutex<[@Sendable () -> [StorageMetric]]>([])

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        self.factory = FerryMetricsFactory(registry: registry)
        self.fsync = CoreMetrics.Timer(label: "ferry_fsync_duration_seconds", factory: factory)
        self.scraped = Mutex(ScrapedSeries(registry: registry))
        self.startTime = WallClock.seconds()
        CoreMetrics.Gauge(label: "ferry_build_info", dimensions: [("version", Self.version)], factory: factory)
            .record(1)
    }

    /// The observer to give the HTTP server that serves `router` (counts requests by route).
    public func httpObserver(for router: Router) -> any HTTPServerObserver {
        HTTPMetrics(routes: router.registeredRoutes, factory: factory)
    }

    /// Lets scrapes read the server's connection and byte totals (kept weakly: no reference cycle).
    public func attach(_ http: HTTPServer) {
        server.withLock { $0 = WeakHTTPServer(http) }
    }

    /// Adds numbers read at every scrape from a part the API does not know (the Kafka-protocol listener);
    /// `source` must not block.
    public func addSource(_ source: @escaping @Sendable () -> [StorageMetric]) {
        sources.withLock { $0.append(source) }
    }

    /// The numbers of every added source, read now.
    var sourcedMetrics: [StorageMetric] { sources.withLock { $0 }.flatMap { $0() } }

    /// The attached HTTP server, if it is still alive.
    var http: HTTPServer? { server.withLock { $0.value } }

    /// Records one storage sync (fsync/msync round) of `nanoseconds`.
    public func recordSync(nanoseconds: UInt64) {
        fsync.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// Runs `collect` to refresh the scrape-time series, drops the series it no longer reported, and renders
    /// the whole registry in the Prometheus text format (version 0.0.4).
    func render(_ collect: (ScrapedSeries) -> Void) -> [UInt8] {
        scraped.withLock { series in
            collect(series)
            series.sweep()
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 * 1024)
            registry.emit(into: &buffer)
            factory.timers.emit(into: &buffer)
            return buffer
        }
    }
}

/// A weak reference to the HTTP server, sendable because it is only read under a lock.
struct WeakHTTPServer: @unchecked Sendable {
    weak var value: HTTPServer?
    init(_ value: HTTPServer?) { self.value = value }
}
