import CRdkafka

/// A topic as cluster metadata describes it.
public struct KafkaTopicMetadata: Sendable, Equatable {
    public var name: String
    public var partitions: [KafkaPartitionMetadata]
    /// Set when the cluster reported an error for this topic (for example `UNKNOWN_TOPIC_OR_PART`).
    public var error: KafkaError?

    public var partitionCount: Int { partitions.count }
}

/// One partition in cluster metadata: its leader broker and replica sets (broker ids).
public struct KafkaPartitionMetadata: Sendable, Equatable {
    public var id: Int32
    public var leader: Int32
    public var replicas: [Int32]
    public var inSyncReplicas: [Int32]
    public var error: KafkaError?
}

extension KafkaAdmin {
    static let kafkaInternalTopics: Set<String> = ["__consumer_offsets", "__transaction_state"]

    /// Every topic in the cluster, sorted by name, with partitions sorted by id; Kafka's own internal topics
    /// (`__consumer_offsets`, `__transaction_state`) only if `includeInternal` (Ferry's `__ferry_*` topics are
    /// ordinary topics to Kafka and always listed). Blocks up to `timeout`.
    public func listTopics(timeout: Duration, includeInternal: Bool = false) throws(KafkaError) -> [KafkaTopicMetadata]
    {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        try KafkaError.check(rd_kafka_metadata(client.pointer, 1, nil, &metadata, milliseconds(timeout)))
        guard let metadata else { return [] }
        defer { rd_kafka_metadata_destroy(metadata) }
        var topics: [KafkaTopicMetadata] = []
        guard let rawTopics = metadata.pointee.topics else { return [] }
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = rawTopics[index]
            let name = string(topic.topic)
            if !includeInternal && KafkaAdmin.kafkaInternalTopics.contains(name) { continue }
            var partitions: [KafkaPartitionMetadata] = []
            if let rawPartitions = topic.partitions {
                for partitionIndex in 0..<Int(topic.partition_cnt) {
                    let partition = rawPartitions[partitionIndex]
                    partitions.append(
                        KafkaPartitionMetadata(
                            id: partition.id, leader: partition.leader,
                            replicas: ids(partition.replicas, partition.replica_cnt),
                            inSyncReplicas: ids(partition.isrs, partition.isr_cnt),
                            error: partition.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(partition.err)))
                }
            }
            partitions.sort { $0.id < $1.id }
            topics.append(
                KafkaTopicMetadata(
                    name: name, partitions: partitions,
                    error: topic.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(topic.err)))
        }
        return topics.sorted { $0.name < $1.name }
    }

    /// Creates `name` with `partitions` partitions, `replicationFactor` replicas (-1: the broker's default) and
    /// topic `configs` (`retention.ms`, `cleanup.policy`, …). Throws `TOPIC_ALREADY_EXISTS` if it exists.
    /// Blocks up to `timeout` (the controller's answer included).
    public func createTopic(
        _ name: String, partitions: Int32, replicationFactor: Int32 = -1, configs: [String: String] = [:],
        timeout: Duration
    ) throws(KafkaError) {
        var errstr = [CChar](repeating: 0, count: 512)
        guard let topic = rd_kafka_NewTopic_new(name, partitions, replicationFactor, &errstr, errstr.count) else {
            throw KafkaError(code: KafkaError.invalidArgumentCode, message: string(errstr), isRetriable: false)
        }
        defer { rd_kafka_NewTopic_destroy(topic) }
        for (key, value) in configs.sorted(by: { $0.key < $1.key }) {
            try KafkaError.check(rd_kafka_NewTopic_set_config(topic, key, value), "config \(key)")
        }
        let result = try request(RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout: timeout, operationTimeout: true) {
            options, queue in
            var topics: [OpaquePointer?] = [topic]
            rd_kafka_CreateTopics(client.pointer, &topics, 1, options, queue)
        }
        var count = 0
        let topics = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(result.event), &count)
        try KafkaAdmin.checkTopicResults(UnsafeMutablePointer(mutating: topics), count: count)
    }

    /// Deletes `name` (and its records). Blocks up to `timeout`.
    public func deleteTopic(_ name: String, timeout: Duration) throws(KafkaError) {
        guard let topic = rd_kafka_DeleteTopic_new(name) else {
            throw KafkaError(code: KafkaError.invalidArgumentCode, message: "rd_kafka_DeleteTopic_new failed")
        }
        defer { rd_kafka_DeleteTopic_destroy(topic) }
        let result = try request(RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout: timeout, operationTimeout: true) {
            options, queue in
            var topics: [OpaquePointer?] = [topic]
            rd_kafka_DeleteTopics(client.pointer, &topics, 1, options, queue)
        }
        var count = 0
        let topics = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(result.event), &count)
        try KafkaAdmin.checkTopicResults(UnsafeMutablePointer(mutating: topics), count: count)
    }

    /// Grows `topic` to `totalCount` partitions (Kafka never shrinks a topic). Blocks up to `timeout`.
    public func createPartitions(topic name: String, totalCount: Int32, timeout: Duration) throws(KafkaError) {
        var errstr = [CChar](repeating: 0, count: 512)
        guard let partitions = rd_kafka_NewPartitions_new(name, Int(totalCount), &errstr, errstr.count) else {
            throw KafkaError(code: KafkaError.invalidArgumentCode, message: string(errstr), isRetriable: false)
        }
        defer { rd_kafka_NewPartitions_destroy(partitions) }
        let result = try request(RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, timeout: timeout, operationTimeout: true) {
            options, queue in
            var list: [OpaquePointer?] = [partitions]
            rd_kafka_CreatePartitions(client.pointer, &list, 1, options, queue)
        }
        var count = 0
        let topics = rd_kafka_CreatePartitions_result_topics(
            rd_kafka_event_CreatePartitions_result(result.event), &count)
        try KafkaAdmin.checkTopicResults(UnsafeMutablePointer(mutating: topics), count: count)
    }
}

private func ids(_ pointer: UnsafeMutablePointer<Int32>?, _ count: Int32) -> [Int32] {
    guard let pointer, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: pointer, count: Int(count)))
}
