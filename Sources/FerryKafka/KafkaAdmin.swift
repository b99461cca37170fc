import CRdkafka

/// Cluster administration over librdkafka's Admin API and metadata: topics, partitions, topic configs and
/// consumer-group offsets.
///
/// Threads: every method may be called from any thread, concurrently, and **blocks the calling thread** until the
/// cluster answers or the method's `timeout` passes (then it throws `_TIMED_OUT`); never call one on an event loop.
/// Failures are ``KafkaError``s: a request-level error, or the first per-topic / per-group error of the answer.
public final class KafkaAdmin: Sendable {
    let client: KafkaClientHandle

    /// Creates the admin client (connecting lazily). Throws a ``KafkaError`` naming a bad property.
    public init(configuration: KafkaConfiguration) throws(KafkaError) {
        client = try KafkaClientHandle(type: RD_KAFKA_PRODUCER, configuration: configuration, extra: [])
    }

    /// Sends one Admin API request through `send` (given the options and a private reply queue) and waits up to
    /// `timeout` for its result event. `operationTimeout` also asks the controller to wait for the change to
    /// spread (CreateTopics, DeleteTopics, CreatePartitions).
    func request(
        _ operation: rd_kafka_admin_op_t, timeout: Duration, operationTimeout: Bool = false,
        _ send: (OpaquePointer, OpaquePointer) -> Void
    ) throws(KafkaError) -> AdminResult {
        guard let options = rd_kafka_AdminOptions_new(client.pointer, operation) else {
            throw KafkaError(code: KafkaError.invalidArgumentCode, message: "rd_kafka_AdminOptions_new failed")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errstr = [CChar](repeating: 0, count: 512)
        let timeoutMilliseconds = milliseconds(timeout)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMilliseconds, &errstr, errstr.count)
        if operationTimeout {
            _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMilliseconds, &errstr, errstr.count)
        }
        guard let queue = rd_kafka_queue_new(client.pointer) else {
            throw KafkaError(code: KafkaError.invalidArgumentCode, message: "rd_kafka_queue_new failed")
        }
        defer { rd_kafka_queue_destroy(queue) }
        send(options, queue)
        // librdkafka itself fails the request at its request timeout; the margin only guards against a lost reply.
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds &+ 1_000) else {
            throw KafkaError(code: KafkaError.timedOutCode, message: "no answer within \(timeout)")
        }
        let result = AdminResult(event: event)
        let err = rd_kafka_event_error(event)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err, message: rd_kafka_event_error_string(event).map { String(cString: $0) })
        }
        return result
    }

    /// Throws the first error among per-topic results.
    static func checkTopicResults(_ results: UnsafeMutablePointer<OpaquePointer?>?, count: Int) throws(KafkaError) {
        guard let results else { return }
        for index in 0..<count {
            guard let result = results[index] else { continue }
            let err = rd_kafka_topic_result_error(result)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                let detail = rd_kafka_topic_result_error_string(result).map { String(cString: $0) }
                throw KafkaError(err, message: "\(string(rd_kafka_topic_result_name(result))): \(detail ?? "")")
            }
        }
    }
}

/// Owns one Admin API result event (destroyed on release).
final class AdminResult {
    let event: OpaquePointer

    init(event: OpaquePointer) {
        self.event = event
    }

    deinit {
        rd_kafka_event_destroy(event)
    }
}
