import Dispatch
import FerryBroker
import FerrySystem
import FerryWebhooks
import Synchronization

/// The delivery of one subscription: one independent ``Cursor`` per partition of its topic.
///
/// A cursor is idle, waiting for an append, working (reading a batch or dead-lettering it on a Dispatch
/// thread), sending (one transfer in flight) or in backoff (a timer armed). Every asynchronous step carries the
/// cursor's `epoch`; a seek, a stop or a deletion bumps it, so late callbacks of abandoned work are ignored.
/// Thread-safety: all state is behind one `Mutex`; side effects (cancelling waits and transfers, scheduling)
/// run after it is released.
final class SubscriptionRunner: Sendable {
    let dispatcher: WebhookDispatcher
    /// The registry of the shard the subscription lives in (the runner stops when this node gives it up).
    let registry: SubscriptionRegistry
    let topic: String
    let name: String
    /// Identifies this incarnation (a deleted and re-created subscription gets a new runner).
    let createdAt: Int64
    let metrics: WebhookMetrics
    let state: Mutex<RunnerState>

    struct RunnerState: Sendable {
        var config: SubscriptionConfig
        var generation: Int64
        var stopped = false
        var cursors: [Cursor]

        var active: Bool { !stopped && !config.paused && !config.disabled }
    }

    struct Cursor: Sendable {
        var epoch: UInt64 = 0
        /// The next offset to deliver (the committed position, or past it once a batch is committed).
        var position: Int64
        var phase: Phase = .idle
        /// The batch being delivered (kept across retries: same messages, same webhook-id).
        var batch: PendingBatch?
    }

    enum Phase: Sendable {
        case idle
        case waiting(AppendWaitToken?, (any PartitionStorage)?)
        case working
        case sending(WebhookTransferID?)
        case backoff
    }

    struct PendingBatch: Sendable {
        var from: Int64
        var to: Int64
        var count: Int
        var body: [UInt8]
        var id: String
        var attempts = 0
        var lastError = ""
    }

    /// What to do once the lock is released.
    enum Effect: Sendable {
        case pump(Int, UInt64)
        case cancelWait(any PartitionStorage, AppendWaitToken)
        case cancelTransfer(WebhookTransferID)
    }

    init(dispatcher: WebhookDispatcher, registry: SubscriptionRegistry, snapshot: SubscriptionSnapshot) {
        self.dispatcher = dispatcher
        self.registry = registry
        topic = snapshot.config.topic
        name = snapshot.config.name
        createdAt = snapshot.config.createdAt
        metrics = WebhookMetrics(topic: topic, subscription: name, factory: dispatcher.factory)
        state = Mutex(
            RunnerState(
                config: snapshot.config, generation: snapshot.generation,
                cursors: snapshot.positions.map { Cursor(position: $0) }))
    }

    /// Re-reads the registry's snapshot and applies it: new config for the next attempt, new positions after a
    /// seek (work in flight abandoned), cursors for new partitions, and (re)starts idle cursors when active.
    func synchronize() {
        let effects = state.withLock { state -> [Effect] in
            guard !state.stopped,
                let snapshot = registry.snapshot(topic: topic, name: name),
                snapshot.config.createdAt == createdAt
            else { return [] }
            var effects: [Effect] = []
            let wasActive = state.active
            state.config = snapshot.config
            if snapshot.generation != state.generation {
                state.generation = snapshot.generation
                for p in state.cursors.indices where p < snapshot.positions.count {
                    effects += Self.reset(&state.cursors[p], position: snapshot.positions[p])
                }
            }
            while state.cursors.count < snapshot.positions.count {
                state.cursors.append(Cursor(position: snapshot.positions[state.cursors.count]))
            }
            if state.active {
                for p in state.cursors.indices {
                    if !wasActive { state.cursors[p].batch?.attempts = 0 }
                    guard case .idle = state.cursors[p].phase else { continue }
                    state.cursors[p].phase = .working
                    effects.append(.pump(p, state.cursors[p].epoch))
                }
            } else {
                for p in state.cursors.indices {
                    guard case .waiting(let token, let storage) = state.cursors[p].phase else { continue }
                    if let token, let storage { effects.append(.cancelWait(storage, token)) }
                    state.cursors[p].epoch &+= 1
                    state.cursors[p].phase = .idle
                }
            }
            return effects
        }
        perform(effects)
    }

    /// Stops every cursor at once (transfers cancelled, nothing committed).
    func stop(destroyMetrics: Bool) {
        let effects = state.withLock { state -> [Effect] in
            state.stopped = true
            var effects: [Effect] = []
            for p in state.cursors.indices {
                effects += Self.reset(&state.cursors[p], position: state.cursors[p].position)
            }
            return effects
        }
        perform(effects)
        if destroyMetrics { metrics.destroy() }
    }

    /// Abandons the cursor's work: new epoch, no batch, idle at `position`.
    static func reset(_ cursor: inout Cursor, position: Int64) -> [Effect] {
        var effects: [Effect] = []
        switch cursor.phase {
        case .waiting(let token?, let storage?): effects.append(.cancelWait(storage, token))
        case .sending(let id?): effects.append(.cancelTransfer(id))
        default: break
        }
        cursor.epoch &+= 1
        cursor.phase = .idle
        cursor.batch = nil
        cursor.position = position
        return effects
    }

    func perform(_ effects: [Effect]) {
        for effect in effects {
            switch effect {
            case .pump(let p, let epoch): schedule(p, epoch)
            case .cancelWait(let storage, let token): storage.cancelWait(token)
            case .cancelTransfer(let id): dispatcher.transport.cancel(id)
            }
        }
    }

    /// Runs ``pump(_:_:)`` on a Dispatch thread now, or after `delay` on the dispatcher's timer source (the
    /// cursor must then still be in backoff under `epoch`).
    func schedule(_ p: Int, _ epoch: UInt64, after delay: Duration = .zero) {
        if delay <= .zero {
            DispatchQueue.global().async { [self] in pump(p, epoch) }
        } else {
            dispatcher.timers.schedule(after: delay) { [self] in
                let current = state.withLock { state -> Bool in
                    guard p < state.cursors.count, state.cursors[p].epoch == epoch,
                        case .backoff = state.cursors[p].phase
                    else { return false }
                    state.cursors[p].phase = .working
                    return true
                }
                if current { pump(p, epoch) }
            }
        }
    }

    /// A partition got new messages: wake the cursor if it is still waiting under `epoch`.
    func wake(_ p: Int, _ epoch: UInt64) {
        let current = state.withLock { state -> Bool in
            guard p < state.cursors.count, state.cursors[p].epoch == epoch, case .waiting = state.cursors[p].phase
            else { return false }
            state.cursors[p].phase = .working
            return true
        }
        if current { DispatchQueue.global().async { [self] in pump(p, epoch) } }
    }
}
