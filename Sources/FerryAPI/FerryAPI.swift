import FerryBroker
import FerryHTTP
import Logging
import Synchronization

/// The REST API v1 (API.md) over a ``Broker``: builds the router and owns request-level state (held
/// long-polls, readiness, counters).
///
/// Handlers run on the HTTP loop threads and never block: appends return once readable and answer when
/// durable (a callback), long-polls park a ``Wakeup`` and answer from a Dispatch thread.
public final class FerryAPI: Sendable {
    public let broker: Broker
    let logger: Logger
    let held = HeldRequests()
    let readiness = Atomic<Bool>(false)
    let counters = APICounters()
    /// Bearer-token checks (`--auth-file`); nil: the API is open.
    public let accessControl: AccessControl?

    public init(broker: Broker, logger: Logger, accessControl: AccessControl? = nil) {
        self.broker = broker
        self.logger = logger
        self.accessControl = accessControl
    }

    /// `/readyz` answers 200 only while ready (after recovery, before shutdown).
    public func setReady(_ ready: Bool) { readiness.store(ready, ordering: .releasing) }

    /// Answers every held long-poll now with what it has (server shutdown).
    public func answerHeldRequests() { held.fireAll() }

    /// Requests currently held (long-polls and streams).
    public var heldRequestCount: Int { held.count }

    /// Every route of API v1 (health, topics, produce, fetch, groups, queues).
    ///
    /// Every route declares its ``AccessRule`` when it is registered (`router.add(_:_:needs:_:)`); with access
    /// control on, the router's admission hook checks it before the handler runs, and a route that declared
    /// nothing needs admin on `*`.
    public func makeRouter() -> Router {
        var router = Router()
        addHealthRoutes(to: &router)
        addTopicRoutes(to: &router)
        addProduceRoutes(to: &router)
        addFetchRoutes(to: &router)
        addGroupRoutes(to: &router)
        addQueueRoutes(to: &router)
        if let accessControl {
            router.admission = { [self] request, route in admit(request, route, access: accessControl) }
        }
        return router
    }

    /// Runs `body`, answering with the problem for any ``APIFailure`` it throws.
    func guarded(_ responder: HTTPResponder, _ body: () throws(APIFailure) -> Void) {
        do throws(APIFailure) {
            try body()
        } catch {
            responder.respond(error.response)
        }
    }
}

/// Wake-ups of held requests, so shutdown can answer them all.
final class HeldRequests: Sendable {
    let state = Mutex<(next: Int, wakeups: [Int: Wakeup])>((0, [:]))

    var count: Int { state.withLock { $0.wakeups.count } }

    /// Tracks `wakeup` until it fires.
    func track(_ wakeup: Wakeup) {
        let token = state.withLock { state -> Int in
            state.next += 1
            state.wakeups[state.next] = wakeup
            return state.next
        }
        wakeup.onFire { [self] in _ = state.withLock { $0.wakeups.removeValue(forKey: token) } }
    }

    func fireAll() {
        let all = state.withLock { Array($0.wakeups.values) }
        for wakeup in all { wakeup.fire(.cancelled) }
    }
}

/// Counters exposed on `/metrics`.
final class APICounters: Sendable {
    let producedMessages = Atomic<Int>(0)
    let producedBytes = Atomic<Int>(0)
    let fetchedMessages = Atomic<Int>(0)
    let produceRequests = Atomic<Int>(0)
    let fetchRequests = Atomic<Int>(0)
}
