import CoreMetrics
import FerryHTTP
import Synchronization

/// Counts answered HTTP requests: `ferry_http_requests_total{route,method,status}` and
/// `ferry_http_request_duration_seconds{route}`. The server's ``HTTPServerObserver``.
///
/// Per request it indexes an array by ``Router/Route/index`` (built once from the router) and finds the
/// status counter in a few lock-free slots: no string lookup, no shared lock. Label values are bounded: the
/// route is a registered pattern or `unmatched` (404/405/unparsable), the method one of the standard methods
/// or `other`, the status a 3-digit code. Thread-safe; called on the HTTP loop threads.
final class HTTPMetrics: HTTPServerObserver {
    /// The `route` label of requests no route handled.
    static let unmatchedRoute = "unmatched"

    let routes: [RouteMetrics]
    let unmatched: RouteMetrics
    let factory: any MetricsFactory
    /// Series that do not fit a route's slots (other methods, e.g. HEAD on a GET route; rare statuses).
    let overflow = Mutex<[OverflowKey: CoreMetrics.Counter]>([:])

    struct OverflowKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    /// `routes` in ``Router/routes`` order.
    init(routes: [(method: HTTPMethod, pattern: String)], factory: any MetricsFactory) {
        self.factory = factory
        self.routes = routes.map { RouteMetrics(label: $0.pattern, method: $0.method, factory: factory) }
        self.unmatched = RouteMetrics(label: Self.unmatchedRoute, method: nil, factory: factory)
    }

    func requestCompleted(_ completion: HTTPRequestCompletion) {
        var route = unmatched
        if let index = completion.routeIndex, index < routes.count { route = routes[index] }
        route.duration.recordNanoseconds(Int64(clamping: completion.durationNanoseconds))
        let status = completion.status.code
        if completion.method == route.method, let counter = route.counter(status: status) {
            counter.increment()
            return
        }
        let key = OverflowKey(route: route.label, method: Self.methodLabel(completion.method), status: status)
        let counter = overflow.withLock { overflow in
            if let counter = overflow[key] { return counter }
            let counter = RouteMetrics.requestCounter(
                route: key.route, method: key.method, status: status, factory: factory)
            overflow[key] = counter
            return counter
        }
        counter.increment()
    }

    /// The `method` label: a standard method's name, else `other` (clients can send any token).
    static func methodLabel(_ method: HTTPMethod) -> String {
        if case .other = method { return "other" }
        return method.rawValue
    }
}

/// The metrics of one route: its duration histogram and request counters by status.
final class RouteMetrics: Sendable {
    /// The `route` label (the pattern as registered).
    let label: String
    /// The route's method; nil for the unmatched pseudo-route (every request goes to the overflow).
    let method: HTTPMethod?
    /// Made on the route's first request, so routes never called export no histogram.
    private let timer = LazyMetric<CoreMetrics.Timer>()
    let slots: [StatusSlot]
    let factory: any MetricsFactory

    init(label: String, method: HTTPMethod?, factory: any MetricsFactory) {
        self.label = label
        self.method = method
        self.factory = factory
        self.slots = method == nil ? [] : (0..<8).map { _ in StatusSlot() }
    }

    /// `ferry_http_request_duration_seconds{route}` (created on first use; racing creators share the series).
    var duration: CoreMetrics.Timer {
        if let timer = timer.load() { return timer }
        return timer.storeIfNil(
            CoreMetrics.Timer(
                label: "ferry_http_request_duration_seconds", dimensions: [("route", label)], factory: factory))
    }

    /// The counter of `status` for this route's method: a slot already holding it, or the first free one
    /// (claimed with a compare-and-swap). nil when every slot holds another status.
    func counter(status: Int) -> CoreMetrics.Counter? {
        guard let method else { return nil }
        for slot in slots {
            var code = slot.status.load(ordering: .acquiring)
            if code == 0 {
                code =
                    slot.status.compareExchange(expected: 0, desired: status, ordering: .acquiringAndReleasing)
                    .original
                if code == 0 { code = status }
            }
            guard code == status else { continue }
            if let counter = slot.counter.load() { return counter }
            // The registry hands out one series per label set, so racing creators share it.
            return slot.counter.storeIfNil(
                Self.requestCounter(
                    route: label, method: HTTPMetrics.methodLabel(method), status: status, factory: factory))
        }
        return nil
    }

    static func requestCounter(route: String, method: String, status: Int, factory: any MetricsFactory)
        -> CoreMetrics.Counter
    {
        CoreMetrics.Counter(
            label: "ferry_http_requests_total",
            dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory)
    }
}

/// One (status → counter) cell of a route; `status` 0 means free.
final class StatusSlot: Sendable {
    let status = Atomic<Int>(0)
    let counter = LazyMetric<CoreMetrics.Counter>()
}
