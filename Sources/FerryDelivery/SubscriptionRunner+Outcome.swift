import CoreMetrics
import Dispatch
import FerryBroker
import FerryWebhooks
import Logging
import Synchronization

/// What follows an attempt: commit and go on, retry after a backoff, dead-letter, or disable.
extension SubscriptionRunner {
    /// Handles the outcome of an attempt made under `epoch` (on a Dispatch thread).
    func handle(_ p: Int, _ epoch: UInt64, _ outcome: WebhookOutcome) {
        switch outcome {
        case .delivered(let status, let latency):
            metrics.deliveries.increment()
            metrics.record(latency: latency)
            let done = state.withLock { state -> (PendingBatch, Int64)? in
                guard p < state.cursors.count, state.cursors[p].epoch == epoch, let batch = state.cursors[p].batch
                else {
                    return nil
                }
                state.cursors[p].batch = nil
                state.cursors[p].position = batch.to
                state.cursors[p].phase = .working
                return (batch, state.generation)
            }
            guard let (batch, generation) = done else { return }
            registry.commit(
                topic: topic, name: name,
                .init(
                    generation: generation, partition: p, from: batch.from, to: batch.to,
                    delivered: batch.to - batch.from, deadLettered: 0, status: status))
            pump(p, epoch)

        case .gone(let latency):
            metrics.failures.increment()
            metrics.record(latency: latency)
            let generation = state.withLock { state -> Int64? in
                guard p < state.cursors.count, state.cursors[p].epoch == epoch else { return nil }
                state.cursors[p].batch?.attempts = 0
                state.cursors[p].phase = .idle
                return state.generation
            }
            guard let generation else { return }
            // The registry notifies the dispatcher, which makes every cursor of this subscription idle.
            registry.disable(topic: topic, name: name, generation: generation, status: 410)

        case .failed(let status, let error, let retryAfter, let latency):
            metrics.failures.increment()
            if latency > .zero { metrics.record(latency: latency) }
            let text = error
            let next = state.withLock { state -> (Int64, Duration)? in
                guard p < state.cursors.count, state.cursors[p].epoch == epoch, var batch = state.cursors[p].batch
                else {
                    return nil
                }
                batch.attempts += 1
                batch.lastError = text
                state.cursors[p].batch = batch
                state.cursors[p].phase = .backoff
                if batch.attempts >= state.config.maxAttempts { return (state.generation, .zero) }
                var generator = SystemRandomNumberGenerator()
                let delay = dispatcher.backoff.delay(
                    forRetry: batch.attempts, retryAfter: retryAfter, using: &generator)
                return (state.generation, delay)
            }
            guard let (generation, delay) = next else { return }
            registry.recordFailure(
                topic: topic, name: name, generation: generation, partition: p, status: status, error: text)
            schedule(p, epoch, after: delay)
        }
    }

    /// Moves the batch's messages to the dead-letter topic, then commits past them and goes on. When the
    /// dead-letter produce fails, tries again after the backoff base delay.
    func deadLetter(_ p: Int, _ epoch: UInt64, _ batch: PendingBatch, generation: Int64) {
        registry.deadLetter(
            topic: topic, name: name, partition: p, from: batch.from, to: batch.to, lastError: batch.lastError
        ) { [self] result in
            switch result {
            case .success(let count):
                metrics.deadLettered.increment()
                let current = state.withLock { state -> Bool in
                    guard p < state.cursors.count, state.cursors[p].epoch == epoch else { return false }
                    state.cursors[p].batch = nil
                    state.cursors[p].position = batch.to
                    state.cursors[p].phase = .working
                    return true
                }
                guard current else { return }
                registry.commit(
                    topic: topic, name: name,
                    .init(
                        generation: generation, partition: p, from: batch.from, to: batch.to,
                        delivered: batch.to - batch.from - count, deadLettered: count, status: nil))
                schedule(p, epoch)
            case .failure(let error):
                dispatcher.logger.warning("dead-lettering \(topic)/\(name) partition \(p) failed: \(error)")
                guard setPhase(p, epoch, .backoff) else { return }
                schedule(p, epoch, after: dispatcher.configuration.backoffBase)
            }
        }
    }
}
