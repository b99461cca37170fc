import FerryBroker
import FerryHTTP
import FerrySystem
import FerryWebhooks
import Logging
import Synchronization

/// The REST API v1 (API.md) over a ``Broker``: builds the router and owns request-level state (held
/// long-polls, open streams, readiness, metrics).
///
/// Handlers run on the HTTP loop threads and never block: appends return once readable and answer when
/// durable (a callback), long-polls park a ``Wakeup`` and answer from a Dispatch thread.
public final class FerryAPI: Sendable {
    public let broker: Broker
    let logger: Logger
    let held = HeldRequests()
    let readiness = Atomic<Bool>(false)
    /// Bearer-token checks (`--auth-file`); nil: the API is open.
    public let accessControl: AccessControl?
    /// Server-Sent Events streams currently open.
    let openStreams = Atomic<Int>(0)
    /// This server's metrics (`GET /metrics`).
    public let metrics: FerryMetrics
    /// Checks webhook URLs at create/PATCH time.
    let webhookPolicy: WebhookTargetPolicy
    /// `--webhook-deny-private`: URLs resolving to private, loopback or link-local addresses are refused.
    let denyPrivateWebhooks: Bool
    /// Where long-poll and keep-alive deadlines (``Wakeup/fire(after:reason:)``) are scheduled.
    let timers: any TimerSource
    /// The gateways this node shares state with (one node unless the storage is shared), for `/v1/cluster`
    /// and forwarding.
    public let cluster: any ClusterRouting
    /// Passes requests to the owner of their state on a cluster of gateways (nil: nothing is forwarded).
    let forwarder: (any RequestForwarder)?

    /// - Parameter timers: schedules long-poll deadlines (`wait_ms`) and SSE keep-alives; the process's timer
    ///   thread (``SystemTimerSource``) unless a test moves time by hand.
    /// - Parameter cluster: the gateways sharing the state (default: this node alone, holding every shard).
    public init(
        broker: Broker, logger: Logger, accessControl: AccessControl? = nil, metrics: FerryMetrics = FerryMetrics(),
        denyPrivateWebhooks: Bool = false, timers: any TimerSource = .system, cluster: (any ClusterRouting)? = nil,
        forwarder: (any RequestForwarder)? = nil
    ) {
        self.timers = timers
        self.cluster =
            cluster
            ?? SingleNodeCluster(broker: broker, clusterName: "ferry", nodeID: "ferry", address: AdvertisedURL(""))
        self.forwarder = forwarder
        self.broker = broker
        self.logger = logger
        self.accessControl = accessControl
        self.metrics = metrics
        self.denyPrivateWebhooks = denyPrivateWebhooks
        self.webhookPolicy = WebhookTargetPolicy(denyPrivateNetworks: denyPrivateWebhooks)
    }

    /// `/readyz` answers 200 only while ready (after recovery, before shutdown).
    public func setReady(_ ready: Bool) { readiness.store(ready, ordering: .releasing) }

    /// Answers every held long-poll now with what it has (server shutdown).
    public func answerHeldRequests() { held.fireAll() }

    /// Requests currently held (long-polls and streams).
    public var heldRequestCount: Int { held.count }

    /// Long-polls (fetch, group fetch, queue receive) currently waiting.
    public var heldLongPollCount: Int { held.longPollCount }

    /// Server-Sent Events streams currently open.
    public var openStreamCount: Int { openStreams.load(ordering: .relaxed) }

    /// Every route of API v1 (health, topics, produce, fetch, groups, queues, subscriptions) and the web console.
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
        addSubscriptionRoutes(to: &router)
        addClusterRoutes(to: &router)
        addConsoleRoutes(to: &router)
        if cluster.isDistributed {
            router.interception = { [self] request, route, responder in intercept(request, route, responder) }
        }
        if let accessControl {
            router.admission = { [self] request, route, responder in
                admit(request, route, access: accessControl, responder: responder)
            }
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
    let state = Mutex<(next: Int, wakeups: [Int: Wakeup], streamWaits: Int)>((0, [:], 0))

    var count: Int { state.withLock { $0.wakeups.count } }

    /// Held requests that are long-polls (not a stream waiting for its next message).
    var longPollCount: Int { state.withLock { $0.wakeups.count - $0.streamWaits } }

    /// Tracks `wakeup` until it fires; `stream` marks a stream's wait for more messages.
    func track(_ wakeup: Wakeup, stream: Bool = false) {
        let token = state.withLock { state -> Int in
            state.next += 1
            state.wakeups[state.next] = wakeup
            if stream { state.streamWaits += 1 }
            return state.next
        }
        if stream {
            wakeup.onFire { [self] in
                state.withLock { state in
                    if state.wakeups.removeValue(forKey: token) != nil { state.streamWaits -= 1 }
                }
            }
            return
        }
        wakeup.onFire { [self] in _ = state.withLock { $0.wakeups.removeValue(forKey: token) } }
    }

    func fireAll() {
        let all = state.withLock { Array($0.wakeups.values) }
        for wakeup in all { wakeup.fire(.cancelled) }
    }
}
