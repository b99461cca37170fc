/// OffsetFetch request (key 9, v1–5): a group's committed offsets for some partitions, or (v2+, nil topics) all.
public struct OffsetFetchRequest: Equatable, Sendable {
    /// One topic's partitions (Kafka's `OffsetFetchRequestTopic`).
    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitionIndexes: [Int32]

        public init(name: String, partitionIndexes: [Int32]) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }
    }

    public var groupID: String
    /// nil (v2+) = every partition the group has committed; v1 has no null and encodes nil as empty.
    public var topics: [Topic]?

    public init(groupID: String, topics: [Topic]?) {
        self.groupID = groupID
        self.topics = topics
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> OffsetFetchRequest
    {
        let groupID = try reader.string()
        let topics = try reader.nullableArray(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            Topic(name: try reader.string(), partitionIndexes: try reader.int32Array())
        }
        return OffsetFetchRequest(groupID: groupID, topics: version >= 2 ? topics : topics ?? [])
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.string(groupID)
        let element = { (writer: inout KafkaWriter, topic: Topic) in
            writer.string(topic.name)
            writer.int32Array(topic.partitionIndexes)
        }
        if version >= 2 { writer.nullableArray(topics, element) } else { writer.array(topics ?? [], element) }
    }
}

/// OffsetFetch response (v1–5): the committed offset and metadata of each partition (-1 = none committed).
public struct OffsetFetchResponse: Equatable, Sendable {
    /// One topic's offsets (Kafka's `OffsetFetchResponseTopic`).
    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]

        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }
    }

    /// One partition's committed offset (Kafka's `OffsetFetchResponsePartition`).
    public struct Partition: Equatable, Sendable {
        public var partitionIndex: Int32
        public var committedOffset: Int64
        /// v5+.
        public var committedLeaderEpoch: Int32
        public var metadata: String?
        public var errorCode: Int16

        public init(
            partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: Int32 = -1, metadata: String? = nil,
            errorCode: Int16 = 0
        ) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.metadata = metadata
            self.errorCode = errorCode
        }
    }

    /// v3+.
    public var throttleTimeMs: Int32
    public var topics: [Topic]
    /// v2+: the top-level error.
    public var errorCode: Int16

    public init(throttleTimeMs: Int32 = 0, topics: [Topic], errorCode: Int16 = 0) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
        self.errorCode = errorCode
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 3 { writer.int32(throttleTimeMs) }
        writer.array(topics) { writer, topic in
            writer.string(topic.name)
            writer.array(topic.partitions) { writer, partition in
                writer.int32(partition.partitionIndex)
                writer.int64(partition.committedOffset)
                if version >= 5 { writer.int32(partition.committedLeaderEpoch) }
                writer.nullableString(partition.metadata)
                writer.int16(partition.errorCode)
            }
        }
        if version >= 2 { writer.int16(errorCode) }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> OffsetFetchResponse
    {
        let throttleTimeMs = version >= 3 ? try reader.int32() : 0
        let topics = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            Topic(
                name: try reader.string(),
                partitions: try reader.array(minimumElementBytes: 16) { reader throws(KafkaWireError) in
                    let index = try reader.int32()
                    let offset = try reader.int64()
                    let epoch = version >= 5 ? try reader.int32() : -1
                    return Partition(
                        partitionIndex: index, committedOffset: offset, committedLeaderEpoch: epoch,
                        metadata: try reader.nullableString(), errorCode: try reader.int16())
                })
        }
        let errorCode = version >= 2 ? try reader.int16() : 0
        return OffsetFetchResponse(throttleTimeMs: throttleTimeMs, topics: topics, errorCode: errorCode)
    }
}
