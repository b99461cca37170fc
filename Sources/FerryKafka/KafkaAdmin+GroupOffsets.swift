import CRdkafka

extension KafkaAdmin {
    /// Commits `offsets` (the next offset to read, per partition) for consumer group `group` through Kafka's group
    /// coordinator, so Kafka's own tools see them. The group must have no active Kafka members (Ferry's groups
    /// never join Kafka's). Blocks up to `timeout`; throws the first per-partition error.
    public func commitGroupOffsets(
        _ group: String, _ offsets: [KafkaTopicPartition: Int64], timeout: Duration
    ) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = TopicPartitionList(offsets.map { ($0.key, $0.value) })
        guard let alteration = rd_kafka_AlterConsumerGroupOffsets_new(group, list.pointer) else {
            throw KafkaError(
                code: KafkaError.invalidArgumentCode, message: "rd_kafka_AlterConsumerGroupOffsets_new failed")
        }
        defer { rd_kafka_AlterConsumerGroupOffsets_destroy(alteration) }
        let result = try request(RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, timeout: timeout) { options, queue in
            var alterations: [OpaquePointer?] = [alteration]
            rd_kafka_AlterConsumerGroupOffsets(client.pointer, &alterations, 1, options, queue)
        }
        var count = 0
        let groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
            rd_kafka_event_AlterConsumerGroupOffsets_result(result.event), &count)
        for entry in try KafkaAdmin.partitions(ofGroups: groups, count: count) {
            if let error = entry.error { throw error }
        }
    }

    /// The committed offsets of consumer group `group`: for `partitions`, or for every partition it committed if
    /// nil. Partitions without a committed offset are left out. Blocks up to `timeout`.
    public func groupOffsets(
        _ group: String, partitions: [KafkaTopicPartition]? = nil, timeout: Duration
    ) throws(KafkaError) -> [KafkaTopicPartition: Int64] {
        let list = partitions.map { TopicPartitionList($0.map { ($0, nil) }) }
        guard let listing = rd_kafka_ListConsumerGroupOffsets_new(group, list?.pointer) else {
            throw KafkaError(
                code: KafkaError.invalidArgumentCode, message: "rd_kafka_ListConsumerGroupOffsets_new failed")
        }
        defer { rd_kafka_ListConsumerGroupOffsets_destroy(listing) }
        let result = try request(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout: timeout) { options, queue in
            var listings: [OpaquePointer?] = [listing]
            rd_kafka_ListConsumerGroupOffsets(client.pointer, &listings, 1, options, queue)
        }
        var count = 0
        let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
            rd_kafka_event_ListConsumerGroupOffsets_result(result.event), &count)
        var offsets: [KafkaTopicPartition: Int64] = [:]
        for entry in try KafkaAdmin.partitions(ofGroups: groups, count: count) {
            if let error = entry.error { throw error }
            if entry.offset >= 0 { offsets[entry.topicPartition] = entry.offset }
        }
        return offsets
    }

    /// The partitions of group results, after throwing the first group-level error.
    private static func partitions(
        ofGroups groups: UnsafeMutablePointer<OpaquePointer?>?, count: Int
    ) throws(KafkaError) -> [TopicPartitionList.Entry] {
        guard let groups else { return [] }
        var entries: [TopicPartitionList.Entry] = []
        for index in 0..<count {
            guard let group = groups[index] else { continue }
            if let error = rd_kafka_group_result_error(group) {
                // Owned by the result: copy, do not destroy.
                throw KafkaError(
                    code: rd_kafka_error_code(error).rawValue,
                    message: rd_kafka_error_string(error).map { String(cString: $0) })
            }
            entries += TopicPartitionList.entries(of: rd_kafka_group_result_partitions(group))
        }
        return entries
    }
}
