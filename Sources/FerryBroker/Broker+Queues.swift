import Synchronization

/// Lets the queue coordinator see topics and produce dead letters without a reference cycle.
final class BrokerQueueAccess: QueueTopicAccess, Sendable {
    let broker = Mutex<WeakBroker>(WeakBroker(nil))

    func partitions(of topic: String) -> [any PartitionStorage]? {
        broker.withLock { $0.value }?.partitions(of: topic)
    }

    func deadLetter(
        topic: String, batch: ProduceBatch, completion: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) {
        guard let broker = broker.withLock({ $0.value }) else {
            return completion(.failure(.unavailable("shutting down")))
        }
        broker.produceDeadLetters(topic: topic, batch: batch, completion: completion)
    }
}

extension Broker {
    /// Appends `batch` to the dead-letter topic `topic`, creating it (default config) when missing, in produce
    /// requests of at most ``maxRecordsPerRequest`` records; `completion` runs once after every part is durable,
    /// or with the first error. Used by queues and webhook subscriptions.
    public func produceDeadLetters(
        topic: String, batch: ProduceBatch, completion: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) {
        guard !batch.records.isEmpty else { return completion(.success(())) }
        do throws(BrokerError) {
            if metadata(of: topic) == nil {
                do {
                    try createTopic(name: topic)
                } catch .topicExists {
                    // Created concurrently: fine.
                }
            }
            var start = 0
            let records = batch.records
            // One produce per 10 000 records (the broker's limit); completion after the last one.
            let pending = Mutex(
                (
                    count: (records.count + Broker.maxRecordsPerRequest - 1) / Broker.maxRecordsPerRequest,
                    error: BrokerError?.none
                ))
            while start < records.count {
                var part = batch
                part.records = Array(records[start..<min(start + Broker.maxRecordsPerRequest, records.count)])
                start += Broker.maxRecordsPerRequest
                try produce(topic: topic, batch: part) { result in
                    let finished = pending.withLock { state -> Result<Void, BrokerError>? in
                        if case .failure(let error) = result, state.error == nil { state.error = error }
                        state.count -= 1
                        guard state.count == 0 else { return nil }
                        return state.error.map { .failure($0) } ?? .success(())
                    }
                    if let finished { completion(finished) }
                }
            }
        } catch {
            completion(.failure(error))
        }
    }
}
