/// Produce request (key 0, v3–8): record sets to append, per topic partition. `acks == 0` gets no response.
public struct ProduceRequest: Equatable, Sendable {
    /// One topic's partitions (Kafka's `TopicProduceData`).
    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]

        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }
    }

    /// One partition's record set (Kafka's `PartitionProduceData`): raw record batches, undecoded.
    public struct Partition: Equatable, Sendable {
        public var index: Int32
        public var records: [UInt8]?

        public init(index: Int32, records: [UInt8]?) {
            self.index = index
            self.records = records
        }
    }

    public var transactionalID: String?
    public var acks: Int16
    public var timeoutMs: Int32
    /// Kafka's `TopicData`.
    public var topics: [Topic]

    public init(transactionalID: String? = nil, acks: Int16, timeoutMs: Int32, topics: [Topic]) {
        self.transactionalID = transactionalID
        self.acks = acks
        self.timeoutMs = timeoutMs
        self.topics = topics
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> ProduceRequest {
        let transactionalID = version >= 3 ? try reader.nullableString() : nil
        let acks = try reader.int16()
        let timeoutMs = try reader.int32()
        let topics = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            Topic(
                name: try reader.string(),
                partitions: try reader.array(minimumElementBytes: 8) { reader throws(KafkaWireError) in
                    Partition(index: try reader.int32(), records: try reader.nullableBytes())
                })
        }
        return ProduceRequest(transactionalID: transactionalID, acks: acks, timeoutMs: timeoutMs, topics: topics)
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 3 { writer.nullableString(transactionalID) }
        writer.int16(acks)
        writer.int32(timeoutMs)
        writer.array(topics) { writer, topic in
            writer.string(topic.name)
            writer.array(topic.partitions) { writer, partition in
                writer.int32(partition.index)
                writer.nullableBytes(partition.records)
            }
        }
    }
}

/// Produce response (v3–8): the base offset or error of each partition's append.
public struct ProduceResponse: Equatable, Sendable {
    /// One topic's results (Kafka's `TopicProduceResponse`).
    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitionResponses: [Partition]

        public init(name: String, partitionResponses: [Partition]) {
            self.name = name
            self.partitionResponses = partitionResponses
        }
    }

    /// One partition's result (Kafka's `PartitionProduceResponse`).
    public struct Partition: Equatable, Sendable {
        public var index: Int32
        public var errorCode: Int16
        public var baseOffset: Int64
        /// -1 unless the topic uses LogAppendTime.
        public var logAppendTimeMs: Int64
        /// v5+.
        public var logStartOffset: Int64
        /// v8+: the records that made the batch fail.
        public var recordErrors: [RecordError]
        /// v8+.
        public var errorMessage: String?

        public init(
            index: Int32, errorCode: Int16 = 0, baseOffset: Int64, logAppendTimeMs: Int64 = -1,
            logStartOffset: Int64 = -1, recordErrors: [RecordError] = [], errorMessage: String? = nil
        ) {
            self.index = index
            self.errorCode = errorCode
            self.baseOffset = baseOffset
            self.logAppendTimeMs = logAppendTimeMs
            self.logStartOffset = logStartOffset
            self.recordErrors = recordErrors
            self.errorMessage = errorMessage
        }
    }

    /// One record that caused its batch to be dropped (Kafka's `BatchIndexAndErrorMessage`).
    public struct RecordError: Equatable, Sendable {
        public var batchIndex: Int32
        public var batchIndexErrorMessage: String?

        public init(batchIndex: Int32, batchIndexErrorMessage: String? = nil) {
            self.batchIndex = batchIndex
            self.batchIndexErrorMessage = batchIndexErrorMessage
        }
    }

    public var responses: [Topic]
    public var throttleTimeMs: Int32

    public init(responses: [Topic], throttleTimeMs: Int32 = 0) {
        self.responses = responses
        self.throttleTimeMs = throttleTimeMs
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.array(responses) { writer, topic in
            writer.string(topic.name)
            writer.array(topic.partitionResponses) { writer, partition in
                writer.int32(partition.index)
                writer.int16(partition.errorCode)
                writer.int64(partition.baseOffset)
                if version >= 2 { writer.int64(partition.logAppendTimeMs) }
                if version >= 5 { writer.int64(partition.logStartOffset) }
                if version >= 8 {
                    writer.array(partition.recordErrors) { writer, error in
                        writer.int32(error.batchIndex)
                        writer.nullableString(error.batchIndexErrorMessage)
                    }
                    writer.nullableString(partition.errorMessage)
                }
            }
        }
        if version >= 1 { writer.int32(throttleTimeMs) }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> ProduceResponse {
        let responses = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            Topic(
                name: try reader.string(),
                partitionResponses: try reader.array(minimumElementBytes: 14) { reader throws(KafkaWireError) in
                    try decodePartition(&reader, version: version)
                })
        }
        let throttleTimeMs = version >= 1 ? try reader.int32() : 0
        return ProduceResponse(responses: responses, throttleTimeMs: throttleTimeMs)
    }

    private static func decodePartition(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> Partition
    {
        var partition = Partition(
            index: try reader.int32(), errorCode: try reader.int16(), baseOffset: try reader.int64())
        if version >= 2 { partition.logAppendTimeMs = try reader.int64() }
        if version >= 5 { partition.logStartOffset = try reader.int64() }
        if version >= 8 {
            partition.recordErrors = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
                RecordError(batchIndex: try reader.int32(), batchIndexErrorMessage: try reader.nullableString())
            }
            partition.errorMessage = try reader.nullableString()
        }
        return partition
    }
}
