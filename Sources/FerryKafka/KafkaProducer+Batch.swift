import FerrySystem

extension KafkaProducer {
    /// Enqueues every record and calls `completion` once, when all of them have been reported, with one result
    /// per record in `records`' order. Never blocks; `completion` runs on the poll thread (or, if every record was
    /// refused at once, on the calling thread before this returns).
    ///
    /// Not atomic: some records may be written and others fail (see ``produceTransaction(_:timeout:)`` for
    /// all-or-nothing). Records of one partition keep their order and get consecutive offsets when all succeed.
    public func produceBatch(
        _ records: [KafkaProducerRecord],
        completion: @escaping @Sendable ([Result<KafkaDeliveryReport, KafkaError>]) -> Void
    ) {
        guard !records.isEmpty else {
            completion([])
            return
        }
        let collector = BatchCollector(count: records.count, completion: completion)
        for (index, record) in records.enumerated() {
            do throws(KafkaError) {
                try produce(record) { collector.record(index, $0) }
            } catch {
                collector.record(index, .failure(error))
            }
        }
    }

    /// Produces `records` and waits (suspending) until all are reported; one result per record, in order.
    public func sendBatch(_ records: [KafkaProducerRecord]) async -> [Result<KafkaDeliveryReport, KafkaError>] {
        await withCheckedContinuation { continuation in
            produceBatch(records) { continuation.resume(returning: $0) }
        }
    }
}

/// Gathers the results of one batch; the last one in calls the completion. Shared by the poll thread and the
/// producing thread, hence the lock.
private final class BatchCollector: Sendable {
    private let state: Lock<(results: [Result<KafkaDeliveryReport, KafkaError>?], missing: Int)>
    private let completion: @Sendable ([Result<KafkaDeliveryReport, KafkaError>]) -> Void

    init(count: Int, completion: @escaping @Sendable ([Result<KafkaDeliveryReport, KafkaError>]) -> Void) {
        state = Lock((Array(repeating: nil, count: count), count))
        self.completion = completion
    }

    func record(_ index: Int, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        let finished: [Result<KafkaDeliveryReport, KafkaError>]? = state.withLock { state in
            precondition(state.results[index] == nil, "a record of a batch was reported twice")
            state.results[index] = result
            state.missing -= 1
            return state.missing == 0 ? state.results.compactMap { $0 } : nil
        }
        if let finished { completion(finished) }
    }
}
