import CRdkafka

extension KafkaPartitionReader {
    /// Asks the partition's leader for its log start offset and high watermark. Blocks up to `timeout` in all
    /// (`_TIMED_OUT` after). Any partition, assigned or not.
    ///
    /// Two ListOffsets lookups through `rd_kafka_offsets_for_times`, at the special timestamps -2 (earliest)
    /// and -1 (latest), not `rd_kafka_query_watermark_offsets`: in librdkafka before 2.3.0 (Debian ships 2.0.2)
    /// that call ignores its timeout while the partition's leader is down and returns only when the broker is
    /// back (librdkafka#2588, fixed by #4460), which held the engine's refresher for a whole outage.
    public func watermarks(of topicPartition: KafkaTopicPartition, timeout: Duration) throws(KafkaError)
        -> KafkaWatermarks
    {
        let deadline = ContinuousClock.now + timeout
        let start = try listedOffset(of: topicPartition, at: Int64(RD_KAFKA_OFFSET_BEGINNING), timeout: timeout)
        let remaining = max(.milliseconds(1), deadline - ContinuousClock.now)
        let end = try listedOffset(of: topicPartition, at: Int64(RD_KAFKA_OFFSET_END), timeout: remaining)
        return KafkaWatermarks(logStartOffset: start, highWatermark: end)
    }

    /// The offset the leader lists for `timestamp` (-2 the log start, -1 the end). Blocks up to `timeout`.
    private func listedOffset(of topicPartition: KafkaTopicPartition, at timestamp: Int64, timeout: Duration)
        throws(KafkaError) -> Int64
    {
        let list = TopicPartitionList([(topicPartition, timestamp)])
        try KafkaError.check(rd_kafka_offsets_for_times(client.pointer, list.pointer, milliseconds(timeout)))
        guard let entry = list.entries.first else {
            throw KafkaError(code: KafkaError.unknownPartitionCode, message: "no answer for \(topicPartition)")
        }
        if let error = entry.error { throw error }
        guard entry.offset >= 0 else {
            throw KafkaError(code: KafkaError.timedOutCode, message: "no offset listed for \(topicPartition)")
        }
        return entry.offset
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
