import CRdkafka
import FerrySystem

extension KafkaProducer {
    /// Writes `records` all-or-nothing in one Kafka transaction (the producer needs a ``transactionalID``):
    /// begin, produce, commit. Returns one delivery report per record, in order. On any failure the transaction
    /// is aborted (consumers reading committed data never see these records) and the error is thrown; a
    /// ``KafkaError/isFatal`` error means this producer was fenced or broken: close it and make a new one.
    ///
    /// Blocks the calling thread up to `timeout` (plus the abort, bounded by `timeout` again, on failure).
    /// Transactions of one producer run one at a time; plain ``produce(_:completion:)`` outside a transaction is
    /// refused by librdkafka (`_STATE`) on a transactional producer.
    public func produceTransaction(_ records: [KafkaProducerRecord], timeout: Duration) throws(KafkaError)
        -> [KafkaDeliveryReport]
    {
        guard transactionalID != nil else {
            throw KafkaError(code: KafkaError.stateCode, message: "not a transactional producer", isRetriable: false)
        }
        return try withTransactionLock { () throws(KafkaError) -> [KafkaDeliveryReport] in
            if let error = rd_kafka_begin_transaction(client.pointer) { throw KafkaError(consuming: error) }
            let results = ConditionLock<[Result<KafkaDeliveryReport, KafkaError>]?>(nil)
            produceBatch(records) { outcome in results.withLockThenSignal(broadcast: true) { $0 = outcome } }
            if let error = rd_kafka_commit_transaction(client.pointer, milliseconds(timeout)) {
                let failure = KafkaError(consuming: error)
                abort(timeout: timeout)
                throw failure
            }
            // A successful commit means every record was acknowledged; their reports follow on the poll thread.
            let deadline = MonotonicClock.nanoseconds() &+ UInt64(milliseconds(timeout)) &* 1_000_000
            let outcome = results.wait(deadline: { _ in deadline }) { state in
                state ?? (MonotonicClock.nanoseconds() >= deadline ? [] : nil)
            }
            var reports: [KafkaDeliveryReport] = []
            for result in outcome {
                switch result {
                case .success(let report): reports.append(report)
                case .failure(let error): throw error
                }
            }
            guard reports.count == records.count else {
                throw KafkaError(code: KafkaError.timedOutCode, message: "committed, but delivery reports are missing")
            }
            return reports
        }
    }

    private func abort(timeout: Duration) {
        if let error = rd_kafka_abort_transaction(client.pointer, milliseconds(timeout)) {
            rd_kafka_error_destroy(error)
        }
    }
}
