import CRdkafka
import CRdkafkaShim

/// The per-record completion, passed to librdkafka as the message opaque (retained once in `produce`, released
/// once here when its delivery report arrives on the poll thread).
final class DeliveryCompletion: Sendable {
    let body: @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void

    init(_ body: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void) {
        self.body = body
    }

    /// Called from librdkafka's delivery-report callback (the producer's poll thread).
    static func complete(_ message: UnsafePointer<rd_kafka_message_t>) {
        guard let opaque = ferry_rdkafka_message_opaque(message) else { return }
        let completion = Unmanaged<DeliveryCompletion>.fromOpaque(opaque).takeRetainedValue()
        let report = message.pointee
        guard report.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            // Not rd_kafka_message_errstr: for a delivery report it would return the record's value as text.
            completion.body(.failure(KafkaError(report.err)))
            return
        }
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &type)
        completion.body(
            .success(
                KafkaDeliveryReport(
                    topic: report.rkt.map { string(rd_kafka_topic_name($0)) } ?? "",
                    partition: report.partition, offset: report.offset,
                    timestampMilliseconds: type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp)))
    }
}
