import CRdkafka

extension KafkaRecord {
    /// Copies a consumed `rd_kafka_message_t` (which the caller still owns and destroys).
    init(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let raw = message.pointee
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &type)
        self.init(
            topic: raw.rkt.map { string(rd_kafka_topic_name($0)) } ?? "",
            partition: raw.partition, offset: raw.offset,
            timestampMilliseconds: timestamp,
            timestampType: type == RD_KAFKA_TIMESTAMP_CREATE_TIME
                ? .createTime : type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? .logAppendTime : .notAvailable,
            key: bytes(raw.key, count: raw.key_len),
            value: bytes(raw.payload, count: raw.len),
            headers: KafkaRecord.headers(of: message))
    }

    private static func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        var headers: [KafkaHeader] = []
        var index = 0
        while true {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else {
                break
            }
            headers.append(KafkaHeader(name: string(name), value: bytes(value, count: size)))
            index += 1
        }
        return headers
    }
}
