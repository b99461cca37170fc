import CRdkafka

extension KafkaPartitionReader {
    /// Asks the partition's leader for its log start offset and high watermark. Blocks up to `timeout`
    /// (`_TIMED_OUT` after). Any partition, assigned or not.
    public func watermarks(of topicPartition: KafkaTopicPartition, timeout: Duration) throws(KafkaError)
        -> KafkaWatermarks
    {
        var low: Int64 = 0
        var high: Int64 = 0
        try KafkaError.check(
            rd_kafka_query_watermark_offsets(
                client.pointer, topicPartition.topic, topicPartition.partition, &low, &high, milliseconds(timeout)))
        return KafkaWatermarks(logStartOffset: low, highWatermark: high)
    }

    /// The watermarks librdkafka last saw in a fetch answer for the assigned partition, without asking the broker.
    /// Never blocks; nil before the first fetch answer (librdkafka reports -1 then).
    public func cachedWatermarks(of topicPartition: KafkaTopicPartition) -> KafkaWatermarks? {
        var low: Int64 = -1
        var high: Int64 = -1
        let err = rd_kafka_get_watermark_offsets(
            client.pointer, topicPartition.topic, topicPartition.partition, &low, &high)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return KafkaWatermarks(logStartOffset: max(low, 0), highWatermark: high)
    }

    /// For each partition, the earliest offset whose timestamp is at or after the given time (milliseconds since
    /// the epoch), or nil when no record is that recent. Blocks up to `timeout`. (The 2.0.2 mock cluster answers
    /// -1, that is nil, for every lookup.)
    public func offsets(
        forTimestamps timestamps: [KafkaTopicPartition: Int64], timeout: Duration
    ) throws(KafkaError) -> [KafkaTopicPartition: Int64?] {
        let list = TopicPartitionList(timestamps.map { ($0.key, $0.value) })
        try KafkaError.check(rd_kafka_offsets_for_times(client.pointer, list.pointer, milliseconds(timeout)))
        var result: [KafkaTopicPartition: Int64?] = [:]
        for entry in list.entries {
            if let error = entry.error { throw error }
            result[entry.topicPartition] = entry.offset >= 0 ? entry.offset : nil
        }
        return result
    }
}
