import CRdkafka
import CRdkafkaShim
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// An idempotent librdkafka producer (`enable.idempotence=true`, `acks=all`) writing to explicit partitions.
///
/// Threads: ``produce(_:completion:)`` may be called from any thread and never blocks (it only enqueues into
/// librdkafka's memory queue). Completions run on this producer's own poll thread (`kafka-dr`), one per record, in
/// the order the partition leader acknowledged them; they must be quick and must not block (resume a continuation,
/// hand off to an event loop). ``flush(timeout:)``, ``close(timeout:)`` and the transactional calls block the
/// calling thread for at most their timeout: never call them on an event-loop or cooperative-pool thread that
/// serves other work.
///
/// Every record handed to librdkafka gets exactly one completion, with its offset or an error: a delivery failure
/// after `message.timeout.ms` (``deliveryTimeout``), or `_PURGE_QUEUE`/`_PURGE_INFLIGHT` for records still
/// pending when the producer closes. Idempotence makes librdkafka's internal retries (a `NOT_LEADER` answer, a
/// lost connection) invisible: no duplicates and no reordering within a partition.
public final class KafkaProducer: Sendable {
    let client: KafkaClientHandle
    private let pollThread: Lock<SystemThread?>
    private let stopping: Lock<Bool>
    /// The poll thread's pthread id, so that a close from a completion (the last reference dropped there) does
    /// not join the thread it runs on.
    private let pollThreadID = Lock<pthread_t?>(nil)
    private let transactionLock = Lock(())
    /// The `transactional.id` of a transactional producer (see ``produceTransaction(_:timeout:)``), else nil.
    public let transactionalID: String?
    /// How long librdkafka keeps trying to deliver a record before its completion reports a failure.
    public let deliveryTimeout: Duration

    /// Creates the producer and starts its poll thread. Does not connect yet (librdkafka connects lazily, in the
    /// background). With a `transactionalID`, also initialises transactions, which blocks up to `deliveryTimeout`
    /// while the transaction coordinator is found.
    ///
    /// Throws a ``KafkaError`` naming the bad property when the configuration is invalid.
    public init(
        configuration: KafkaConfiguration, deliveryTimeout: Duration = .seconds(30), transactionalID: String? = nil
    ) throws(KafkaError) {
        var extra: [(key: String, value: String)] = [
            ("enable.idempotence", "true"), ("acks", "all"),
            ("message.timeout.ms", String(max(1, milliseconds(deliveryTimeout)))),
        ]
        if let transactionalID {
            extra.append(("transactional.id", transactionalID))
            extra.append(("transaction.timeout.ms", String(max(1_000, milliseconds(deliveryTimeout)))))
        }
        client = try KafkaClientHandle(type: RD_KAFKA_PRODUCER, configuration: configuration, extra: extra) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, _ in
                guard let message else { return }
                DeliveryCompletion.complete(message)
            }
        }
        self.transactionalID = transactionalID
        self.deliveryTimeout = deliveryTimeout
        let stopping = Lock(false)
        self.stopping = stopping
        let client = self.client
        let pollThreadID = self.pollThreadID
        pollThread = Lock(
            SystemThread(name: "kafka-dr") {
                pollThreadID.withLock { $0 = pthread_self() }
                while !stopping.withLock({ $0 }) {
                    rd_kafka_poll(client.pointer, 100)
                }
                // Serve the reports of purged records (bounded: purged reports are local and come at once).
                var rounds = 0
                while rd_kafka_outq_len(client.pointer) > 0 && rounds < 50 {
                    rd_kafka_poll(client.pointer, 10)
                    rounds += 1
                }
            })
        if transactionalID != nil {
            if let error = rd_kafka_init_transactions(client.pointer, milliseconds(deliveryTimeout)) {
                close(timeout: .zero)
                throw KafkaError(consuming: error)
            }
        }
    }

    deinit {
        close(timeout: .zero)
    }

    /// Enqueues `record`; `completion` later receives its offset or why it was not written. Never blocks.
    ///
    /// Throws (and never calls `completion`) when librdkafka refuses the record at once: queue full
    /// (`_QUEUE_FULL`, back off), a record larger than `message.max.bytes` (`MSG_SIZE_TOO_LARGE`), a partition
    /// librdkafka already knows does not exist (`_UNKNOWN_PARTITION`), or a closed producer (`_STATE`).
    public func produce(
        _ record: KafkaProducerRecord,
        completion: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void
    ) throws(KafkaError) {
        if stopping.withLock({ $0 }) {
            throw KafkaError(code: KafkaError.stateCode, message: "the producer is closed", isRetriable: false)
        }
        let headers = makeHeaders(record.headers)
        let opaque = Unmanaged.passRetained(DeliveryCompletion(completion)).toOpaque()
        let failure = record.topic.withCString { topic in
            withOptionalBytes(record.key) { key in
                withOptionalBytes(record.value) { value in
                    ferry_rdkafka_produce(
                        client.pointer, topic, record.partition, key.baseAddress, key.count, value.baseAddress,
                        value.count, headers, record.timestampMilliseconds ?? 0, opaque)
                }
            }
        }
        if let failure {
            Unmanaged<DeliveryCompletion>.fromOpaque(opaque).release()
            if let headers { rd_kafka_headers_destroy(headers) }
            throw KafkaError(consuming: failure)
        }
    }

    /// Produces `record` and waits (suspending, not blocking) for its delivery report.
    public func send(_ record: KafkaProducerRecord) async throws(KafkaError) -> KafkaDeliveryReport {
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<KafkaDeliveryReport, KafkaError>, Never>) in
            do throws(KafkaError) {
                try produce(record) { continuation.resume(returning: $0) }
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        return try result.get()
    }

    /// Records enqueued or in flight and not yet reported (librdkafka's `rd_kafka_outq_len`).
    public var pendingCount: Int { Int(rd_kafka_outq_len(client.pointer)) }

    /// Blocks until every enqueued record has been reported, or `timeout` passed (then throws `_TIMED_OUT`).
    public func flush(timeout: Duration) throws(KafkaError) {
        try KafkaError.check(rd_kafka_flush(client.pointer, milliseconds(timeout)))
    }

    /// Flushes for at most `timeout`, fails what is still pending (`_PURGE_QUEUE`/`_PURGE_INFLIGHT`), stops the
    /// poll thread. Blocks for at most `timeout` plus half a second; safe to call more than once and from any
    /// thread. Called from a completion (the poll thread), it does not flush or wait: the pending records fail
    /// and the thread ends after that completion returns.
    public func close(timeout: Duration) {
        let thread: SystemThread? = pollThread.withLock { thread in
            defer { thread = nil }
            return thread
        }
        guard let thread else { return }
        let onPollThread = pollThreadID.withLock { $0 }.map { pthread_equal($0, pthread_self()) != 0 } ?? false
        if !onPollThread {
            _ = rd_kafka_flush(client.pointer, milliseconds(timeout))
        }
        // What is left fails (_PURGE_QUEUE/_PURGE_INFLIGHT); the poll thread serves those reports before it ends.
        _ = rd_kafka_purge(client.pointer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        stopping.withLock { $0 = true }
        if onPollThread {
            thread.detach()  // closing from a completion: the loop ends once this callback returns
        } else {
            thread.join()
        }
    }

    private func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty, let list = rd_kafka_headers_new(headers.count) else { return nil }
        for header in headers {
            _ = withOptionalBytes(header.value) { value in
                rd_kafka_header_add(list, header.name, -1, value.baseAddress, value.count)
            }
        }
        return list
    }

    /// Runs `body` with one transaction at a time (see ``KafkaProducer+Transactions``).
    func withTransactionLock<Result>(_ body: () throws(KafkaError) -> Result) throws(KafkaError) -> Result {
        try transactionLock.withLock { _ throws(KafkaError) in try body() }
    }
}

/// Runs `body` with the bytes of `value` (a NULL base address for nil, a valid one for an empty array).
func withOptionalBytes<Result>(_ value: [UInt8]?, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    guard let value else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    if value.isEmpty {
        var empty: UInt8 = 0
        return withUnsafeBytes(of: &empty) { body(UnsafeRawBufferPointer(start: $0.baseAddress, count: 0)) }
    }
    return value.withUnsafeBytes(body)
}
