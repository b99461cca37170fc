import CRdkafka

extension KafkaAdmin {
    /// Deletes every record before `offset` in each partition (DeleteRecords: the partition's log start offset
    /// moves up to it). Blocks up to `timeout`; throws the first per-partition error.
    public func deleteRecords(before offsets: [KafkaTopicPartition: Int64], timeout: Duration) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = TopicPartitionList(offsets.map { ($0.key, $0.value) })
        guard let deletion = rd_kafka_DeleteRecords_new(list.pointer) else {
            throw KafkaError(code: KafkaError.invalidArgumentCode, message: "rd_kafka_DeleteRecords_new failed")
        }
        defer { rd_kafka_DeleteRecords_destroy(deletion) }
        let result = try request(RD_KAFKA_ADMIN_OP_DELETERECORDS, timeout: timeout, operationTimeout: true) {
            options, queue in
            var deletions: [OpaquePointer?] = [deletion]
            rd_kafka_DeleteRecords(client.pointer, &deletions, 1, options, queue)
        }
        let answered = rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(result.event))
        for entry in TopicPartitionList.entries(of: answered) {
            if let error = entry.error { throw error }
        }
    }
}
