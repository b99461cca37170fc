/// OffsetCommit request (key 8, v2–7): a group member commits consumed offsets.
public struct OffsetCommitRequest: Equatable, Sendable {
    /// One topic's offsets (Kafka's `OffsetCommitRequestTopic`).
    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]

        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }
    }

    /// One partition's offset (Kafka's `OffsetCommitRequestPartition`).
    public struct Partition: Equatable, Sendable {
        public var partitionIndex: Int32
        public var committedOffset: Int64
        /// v6+.
        public var committedLeaderEpoch: Int32
        public var committedMetadata: String?

        public init(
            partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: Int32 = -1,
            committedMetadata: String? = nil
        ) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.committedMetadata = committedMetadata
        }
    }

    public var groupID: String
    /// The group generation (classic protocol); -1 for a commit from outside the group.
    public var generationIDOrMemberEpoch: Int32
    public var memberID: String
    /// v7+.
    public var groupInstanceID: String?
    /// v2–4 (-1 = the broker's default retention).
    public var retentionTimeMs: Int64
    public var topics: [Topic]

    public init(
        groupID: String, generationIDOrMemberEpoch: Int32 = -1, memberID: String = "",
        groupInstanceID: String? = nil, retentionTimeMs: Int64 = -1, topics: [Topic]
    ) {
        self.groupID = groupID
        self.generationIDOrMemberEpoch = generationIDOrMemberEpoch
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.retentionTimeMs = retentionTimeMs
        self.topics = topics
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> OffsetCommitRequest
    {
        var request = OffsetCommitRequest(groupID: try reader.string(), topics: [])
        if version >= 1 {
            request.generationIDOrMemberEpoch = try reader.int32()
            request.memberID = try reader.string()
        }
        if version >= 7 { request.groupInstanceID = try reader.nullableString() }
        if (2...4).contains(version) { request.retentionTimeMs = try reader.int64() }
        request.topics = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            Topic(
                name: try reader.string(),
                partitions: try reader.array(minimumElementBytes: 14) { reader throws(KafkaWireError) in
                    var partition = Partition(partitionIndex: try reader.int32(), committedOffset: try reader.int64())
                    if version >= 6 { partition.committedLeaderEpoch = try reader.int32() }
                    partition.committedMetadata = try reader.nullableString()
                    return partition
                })
        }
        return request
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.string(groupID)
        if version >= 1 {
            writer.int32(generationIDOrMemberEpoch)
            writer.string(memberID)
        }
        if version >= 7 { writer.nullableString(groupInstanceID) }
        if (2...4).contains(version) { writer.int64(retentionTimeMs) }
        writer.array(topics) { writer, topic in
            writer.string(topic.name)
            writer.array(topic.partitions) { writer, partition in
                writer.int32(partition.partitionIndex)
                writer.int64(partition.committedOffset)
                if version >= 6 { writer.int32(partition.committedLeaderEpoch) }
                writer.nullableString(partition.committedMetadata)
            }
        }
    }
}

/// OffsetCommit response (v2–7): an error code per committed partition.
public struct OffsetCommitResponse: Equatable, Sendable {
    /// One topic's results (Kafka's `OffsetCommitResponseTopic`).
    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]

        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }
    }

    /// One partition's result (Kafka's `OffsetCommitResponsePartition`).
    public struct Partition: Equatable, Sendable {
        public var partitionIndex: Int32
        public var errorCode: Int16

        public init(partitionIndex: Int32, errorCode: Int16 = 0) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
        }
    }

    /// v3+.
    public var throttleTimeMs: Int32
    public var topics: [Topic]

    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 3 { writer.int32(throttleTimeMs) }
        writer.array(topics) { writer, topic in
            writer.string(topic.name)
            writer.array(topic.partitions) { writer, partition in
                writer.int32(partition.partitionIndex)
                writer.int16(partition.errorCode)
            }
        }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> OffsetCommitResponse
    {
        let throttleTimeMs = version >= 3 ? try reader.int32() : 0
        let topics = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            Topic(
                name: try reader.string(),
                partitions: try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
                    Partition(partitionIndex: try reader.int32(), errorCode: try reader.int16())
                })
        }
        return OffsetCommitResponse(throttleTimeMs: throttleTimeMs, topics: topics)
    }
}
