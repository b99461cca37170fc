/// ListOffsets request (key 2, v1–5): the offset for a timestamp per partition (-1 = latest, -2 = earliest).
public struct ListOffsetsRequest: Equatable, Sendable {
    /// One topic's partitions (Kafka's `ListOffsetsTopic`).
    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]

        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }
    }

    /// One partition to look up (Kafka's `ListOffsetsPartition`).
    public struct Partition: Equatable, Sendable {
        public var partitionIndex: Int32
        /// v4+.
        public var currentLeaderEpoch: Int32
        public var timestamp: Int64

        public init(partitionIndex: Int32, currentLeaderEpoch: Int32 = -1, timestamp: Int64) {
            self.partitionIndex = partitionIndex
            self.currentLeaderEpoch = currentLeaderEpoch
            self.timestamp = timestamp
        }
    }

    public var replicaID: Int32
    /// v2+: 0 = READ_UNCOMMITTED, 1 = READ_COMMITTED.
    public var isolationLevel: Int8
    public var topics: [Topic]

    public init(replicaID: Int32 = -1, isolationLevel: Int8 = 0, topics: [Topic]) {
        self.replicaID = replicaID
        self.isolationLevel = isolationLevel
        self.topics = topics
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> ListOffsetsRequest
    {
        let replicaID = try reader.int32()
        let isolationLevel = version >= 2 ? try reader.int8() : 0
        let topics = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            Topic(
                name: try reader.string(),
                partitions: try reader.array(minimumElementBytes: 12) { reader throws(KafkaWireError) in
                    let index = try reader.int32()
                    let epoch = version >= 4 ? try reader.int32() : -1
                    return Partition(partitionIndex: index, currentLeaderEpoch: epoch, timestamp: try reader.int64())
                })
        }
        return ListOffsetsRequest(replicaID: replicaID, isolationLevel: isolationLevel, topics: topics)
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.int32(replicaID)
        if version >= 2 { writer.int8(isolationLevel) }
        writer.array(topics) { writer, topic in
            writer.string(topic.name)
            writer.array(topic.partitions) { writer, partition in
                writer.int32(partition.partitionIndex)
                if version >= 4 { writer.int32(partition.currentLeaderEpoch) }
                writer.int64(partition.timestamp)
            }
        }
    }
}

/// ListOffsets response (v1–5): the offset (and its timestamp) found for each partition.
public struct ListOffsetsResponse: Equatable, Sendable {
    /// One topic's results (Kafka's `ListOffsetsTopicResponse`).
    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]

        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }
    }

    /// One partition's result (Kafka's `ListOffsetsPartitionResponse`).
    public struct Partition: Equatable, Sendable {
        public var partitionIndex: Int32
        public var errorCode: Int16
        public var timestamp: Int64
        public var offset: Int64
        /// v4+.
        public var leaderEpoch: Int32

        public init(
            partitionIndex: Int32, errorCode: Int16 = 0, timestamp: Int64 = -1, offset: Int64 = -1,
            leaderEpoch: Int32 = -1
        ) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.timestamp = timestamp
            self.offset = offset
            self.leaderEpoch = leaderEpoch
        }
    }

    /// v2+.
    public var throttleTimeMs: Int32
    public var topics: [Topic]

    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 2 { writer.int32(throttleTimeMs) }
        writer.array(topics) { writer, topic in
            writer.string(topic.name)
            writer.array(topic.partitions) { writer, partition in
                writer.int32(partition.partitionIndex)
                writer.int16(partition.errorCode)
                writer.int64(partition.timestamp)
                writer.int64(partition.offset)
                if version >= 4 { writer.int32(partition.leaderEpoch) }
            }
        }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> ListOffsetsResponse
    {
        let throttleTimeMs = version >= 2 ? try reader.int32() : 0
        let topics = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            Topic(
                name: try reader.string(),
                partitions: try reader.array(minimumElementBytes: 22) { reader throws(KafkaWireError) in
                    Partition(
                        partitionIndex: try reader.int32(), errorCode: try reader.int16(),
                        timestamp: try reader.int64(), offset: try reader.int64(),
                        leaderEpoch: version >= 4 ? try reader.int32() : -1)
                })
        }
        return ListOffsetsResponse(throttleTimeMs: throttleTimeMs, topics: topics)
    }
}
