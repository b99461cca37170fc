import CoreMetrics
import Dispatch
import FerryBroker
import FerryJSON
import FerryMessageJSON
import FerrySystem
import FerryWebhooks
import Logging
import Synchronization

/// One cursor's steps: read a batch, POST it, then commit, retry, dead-letter or disable.
extension SubscriptionRunner {
    /// The cursor's next step (on a Dispatch thread; may block briefly reading the partition or resolving).
    func pump(_ p: Int, _ epoch: UInt64) {
        let step = state.withLock { state -> (SubscriptionConfig, Int64, Int64, PendingBatch?)? in
            guard p < state.cursors.count, state.cursors[p].epoch == epoch else { return nil }
            guard state.active else {
                state.cursors[p].phase = .idle
                return nil
            }
            state.cursors[p].phase = .working
            return (state.config, state.generation, state.cursors[p].position, state.cursors[p].batch)
        }
        guard let (config, generation, position, pending) = step else { return }
        if let pending {
            if pending.attempts >= config.maxAttempts {
                deadLetter(p, epoch, pending, generation: generation)
            } else {
                attempt(p, epoch, pending, config: config)
            }
            return
        }
        guard let storage = dispatcher.broker.storage.partition(topic: topic, partition: p) else {
            // The topic is gone; the registry drops the subscription.
            setPhase(p, epoch, .idle)
            return
        }
        let from = max(position, storage.startOffset)
        guard from < storage.endOffset else {
            setPhase(p, epoch, .waiting(nil, nil))
            let token = storage.waitForAppend(after: from) { [self] in wake(p, epoch) }
            let stale = state.withLock { state -> Bool in
                guard p < state.cursors.count, state.cursors[p].epoch == epoch else { return true }
                if case .waiting(nil, nil) = state.cursors[p].phase {
                    state.cursors[p].phase = .waiting(token, storage)
                }
                return false
            }
            if stale { storage.cancelWait(token) }
            return
        }
        readBatch(storage, p, from: from, config: config, generation: generation) { [self] result in
            switch result {
            case .failure(let error):
                // Retention raced the read: try again from the new start a little later.
                dispatcher.logger.debug("webhook read failed on \(topic)/\(p): \(error)")
                setPhase(p, epoch, .backoff)
                schedule(p, epoch, after: .milliseconds(100))
            case .success(let batch):
                deliver(batch, p, epoch, from: from, config: config, generation: generation)
            }
        }
    }

    /// Commits a batch the filter emptied, or sends it.
    func deliver(
        _ batch: PendingBatch, _ p: Int, _ epoch: UInt64, from: Int64, config: SubscriptionConfig, generation: Int64
    ) {
        if batch.count == 0 {
            // Every message was filtered out: skipped messages count as delivered.
            registry.commit(
                topic: topic, name: name,
                .init(
                    generation: generation, partition: p, from: from, to: batch.to, delivered: batch.to - from,
                    deadLettered: 0, status: nil))
            let current = state.withLock { state -> Bool in
                guard p < state.cursors.count, state.cursors[p].epoch == epoch else { return false }
                state.cursors[p].position = batch.to
                return true
            }
            if current { schedule(p, epoch) }
            return
        }
        let current = state.withLock { state -> Bool in
            guard p < state.cursors.count, state.cursors[p].epoch == epoch else { return false }
            state.cursors[p].position = from
            state.cursors[p].batch = batch
            return true
        }
        if current { attempt(p, epoch, batch, config: config) }
    }

    /// Reads up to `batch_size` messages passing the filter from `from` into the webhook body
    /// `{"subscription": name, "messages": [...]}` (messages as fetch returns them), then calls `completion`
    /// (on the thread the last read completes on). `to` is past the last message read or skipped.
    func readBatch(
        _ storage: any PartitionStorage, _ p: Int, from: Int64, config: SubscriptionConfig, generation: Int64,
        completion: @escaping @Sendable (Result<PendingBatch, BrokerError>) -> Void
    ) {
        let first = BatchScan(
            subscription: name, topic: topic, partition: p, from: from, batchSize: config.batchSize,
            maxBytes: dispatcher.configuration.maxBatchBytes)
        let end = storage.endOffset
        let id = "\(topic)/\(name)/\(generation)/\(p)/\(from)"
        /// One read, then another while there is room (a bounded scan per pass: a filter may skip many).
        @Sendable func step(_ scan: BatchScan) {
            let to = scan.to
            guard to < end && !scan.full && to - from < 100_000 else {
                return completion(.success(scan.finish(id: id)))
            }
            storage.read(from: to, maxMessages: config.batchSize, maxBytes: Int.max) { result in
                switch result {
                case .failure(let error):
                    completion(.failure(error))
                case .success(let read):
                    var scan = scan
                    read.forEach { scan.add($0, filter: config) }
                    if scan.to == to { return completion(.success(scan.finish(id: id))) }
                    step(scan)
                }
            }
        }
        step(first)
    }

    /// One POST of `batch` with the current config (URL, secret, headers, timeout), a fresh timestamp and the
    /// batch's webhook-id. With the private-network guard the target is resolved, checked and pinned first.
    func attempt(_ p: Int, _ epoch: UInt64, _ batch: PendingBatch, config: SubscriptionConfig) {
        let timestamp = dispatcher.now() / 1000
        let signer = config.secret.flatMap { try? WebhookSigner(secret: $0) }
        let headers = WebhookHeaders.make(
            id: batch.id, timestamp: timestamp, body: batch.body, signer: signer,
            custom: config.headers.map { (name: $0.name, value: $0.value) })
        var pin: String?
        if dispatcher.configuration.denyPrivateNetworks {
            do {
                pin = try dispatcher.policy.admit(try dispatcher.policy.parse(config.url))
            } catch {
                metrics.attempts.increment()
                handle(
                    p, epoch, .failed(status: nil, error: "refused target: \(error)", retryAfter: nil, latency: .zero))
                return
            }
        }
        let request = WebhookAttempt(
            url: config.url, pin: pin, headers: headers, body: batch.body,
            timeout: .milliseconds(config.timeoutMilliseconds))
        guard setPhase(p, epoch, .sending(nil)) else { return }
        metrics.attempts.increment()
        let started = dispatcher.timers.nanoseconds()
        let id = dispatcher.transport.send(request) { [self] result in
            // On the transport's thread: note the time, then hop off at once.
            let outcome = WebhookOutcome(
                result, latency: .nanoseconds(Int64(dispatcher.timers.nanoseconds() &- started)), now: dispatcher.now())
            DispatchQueue.global().async { [self] in handle(p, epoch, outcome) }
        }
        let stale = state.withLock { state -> Bool in
            guard p < state.cursors.count, state.cursors[p].epoch == epoch else { return true }
            if case .sending(nil) = state.cursors[p].phase { state.cursors[p].phase = .sending(id) }
            return false
        }
        if stale { dispatcher.transport.cancel(id) }
    }

    /// Sets the cursor's phase if it is still at `epoch`; returns whether it was.
    @discardableResult
    func setPhase(_ p: Int, _ epoch: UInt64, _ phase: Phase) -> Bool {
        state.withLock { state -> Bool in
            guard p < state.cursors.count, state.cursors[p].epoch == epoch else { return false }
            state.cursors[p].phase = phase
            return true
        }
    }
}
