/// Fetch request (key 1, v4–11): read records from partitions, starting at given offsets. Ferry keeps no fetch
/// sessions (a client sends SessionId 0, SessionEpoch -1 then).
public struct FetchRequest: Equatable, Sendable {
    /// One topic to fetch from (Kafka's `FetchTopic`).
    public struct Topic: Equatable, Sendable {
        public var topic: String
        public var partitions: [Partition]

        public init(topic: String, partitions: [Partition]) {
            self.topic = topic
            self.partitions = partitions
        }
    }

    /// One partition to fetch from (Kafka's `FetchPartition`).
    public struct Partition: Equatable, Sendable {
        public var partition: Int32
        /// v9+.
        public var currentLeaderEpoch: Int32
        public var fetchOffset: Int64
        /// v5+ (followers only).
        public var logStartOffset: Int64
        public var partitionMaxBytes: Int32

        public init(
            partition: Int32, currentLeaderEpoch: Int32 = -1, fetchOffset: Int64, logStartOffset: Int64 = -1,
            partitionMaxBytes: Int32
        ) {
            self.partition = partition
            self.currentLeaderEpoch = currentLeaderEpoch
            self.fetchOffset = fetchOffset
            self.logStartOffset = logStartOffset
            self.partitionMaxBytes = partitionMaxBytes
        }
    }

    /// Partitions an incremental fetch drops from its session (v7+).
    public struct ForgottenTopic: Equatable, Sendable {
        public var topic: String
        public var partitions: [Int32]

        public init(topic: String, partitions: [Int32]) {
            self.topic = topic
            self.partitions = partitions
        }
    }

    public var replicaID: Int32
    public var maxWaitMs: Int32
    public var minBytes: Int32
    public var maxBytes: Int32
    /// 0 = READ_UNCOMMITTED, 1 = READ_COMMITTED.
    public var isolationLevel: Int8
    /// v7+.
    public var sessionID: Int32
    /// v7+.
    public var sessionEpoch: Int32
    public var topics: [Topic]
    /// v7+.
    public var forgottenTopicsData: [ForgottenTopic]
    /// v11+.
    public var rackID: String

    public init(
        replicaID: Int32 = -1, maxWaitMs: Int32, minBytes: Int32, maxBytes: Int32 = 0x7fff_ffff,
        isolationLevel: Int8 = 0, sessionID: Int32 = 0, sessionEpoch: Int32 = -1, topics: [Topic],
        forgottenTopicsData: [ForgottenTopic] = [], rackID: String = ""
    ) {
        self.replicaID = replicaID
        self.maxWaitMs = maxWaitMs
        self.minBytes = minBytes
        self.maxBytes = maxBytes
        self.isolationLevel = isolationLevel
        self.sessionID = sessionID
        self.sessionEpoch = sessionEpoch
        self.topics = topics
        self.forgottenTopicsData = forgottenTopicsData
        self.rackID = rackID
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> FetchRequest {
        var request = FetchRequest(
            replicaID: try reader.int32(), maxWaitMs: try reader.int32(), minBytes: try reader.int32(), topics: [])
        if version >= 3 { request.maxBytes = try reader.int32() }
        if version >= 4 { request.isolationLevel = try reader.int8() }
        if version >= 7 {
            request.sessionID = try reader.int32()
            request.sessionEpoch = try reader.int32()
        }
        request.topics = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            Topic(
                topic: try reader.string(),
                partitions: try reader.array(minimumElementBytes: 16) { reader throws(KafkaWireError) in
                    var partition = Partition(partition: try reader.int32(), fetchOffset: 0, partitionMaxBytes: 0)
                    if version >= 9 { partition.currentLeaderEpoch = try reader.int32() }
                    partition.fetchOffset = try reader.int64()
                    if version >= 5 { partition.logStartOffset = try reader.int64() }
                    partition.partitionMaxBytes = try reader.int32()
                    return partition
                })
        }
        if version >= 7 {
            request.forgottenTopicsData = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
                ForgottenTopic(topic: try reader.string(), partitions: try reader.int32Array())
            }
        }
        if version >= 11 { request.rackID = try reader.string() }
        return request
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.int32(replicaID)
        writer.int32(maxWaitMs)
        writer.int32(minBytes)
        if version >= 3 { writer.int32(maxBytes) }
        if version >= 4 { writer.int8(isolationLevel) }
        if version >= 7 {
            writer.int32(sessionID)
            writer.int32(sessionEpoch)
        }
        writer.array(topics) { writer, topic in
            writer.string(topic.topic)
            writer.array(topic.partitions) { writer, partition in
                writer.int32(partition.partition)
                if version >= 9 { writer.int32(partition.currentLeaderEpoch) }
                writer.int64(partition.fetchOffset)
                if version >= 5 { writer.int64(partition.logStartOffset) }
                writer.int32(partition.partitionMaxBytes)
            }
        }
        if version >= 7 {
            writer.array(forgottenTopicsData) { writer, forgotten in
                writer.string(forgotten.topic)
                writer.int32Array(forgotten.partitions)
            }
        }
        if version >= 11 { writer.string(rackID) }
    }
}

/// Fetch response (v4–11): per partition, the watermarks and a raw record set (record batches, undecoded).
public struct FetchResponse: Equatable, Sendable {
    /// One topic's partitions (Kafka's `FetchableTopicResponse`).
    public struct Topic: Equatable, Sendable {
        public var topic: String
        public var partitions: [Partition]

        public init(topic: String, partitions: [Partition]) {
            self.topic = topic
            self.partitions = partitions
        }
    }

    /// One partition's data (Kafka's `PartitionData`).
    public struct Partition: Equatable, Sendable {
        public var partitionIndex: Int32
        public var errorCode: Int16
        public var highWatermark: Int64
        /// v4+.
        public var lastStableOffset: Int64
        /// v5+.
        public var logStartOffset: Int64
        /// v4+; nil (written as a null array) when not reading committed transactional data.
        public var abortedTransactions: [AbortedTransaction]?
        /// v11+.
        public var preferredReadReplica: Int32
        /// Raw record batches (nil = null).
        public var records: [UInt8]?

        public init(
            partitionIndex: Int32, errorCode: Int16 = 0, highWatermark: Int64, lastStableOffset: Int64 = -1,
            logStartOffset: Int64 = -1, abortedTransactions: [AbortedTransaction]? = nil,
            preferredReadReplica: Int32 = -1, records: [UInt8]?
        ) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.highWatermark = highWatermark
            self.lastStableOffset = lastStableOffset
            self.logStartOffset = logStartOffset
            self.abortedTransactions = abortedTransactions
            self.preferredReadReplica = preferredReadReplica
            self.records = records
        }
    }

    /// An aborted transaction overlapping the returned records.
    public struct AbortedTransaction: Equatable, Sendable {
        public var producerID: Int64
        public var firstOffset: Int64

        public init(producerID: Int64, firstOffset: Int64) {
            self.producerID = producerID
            self.firstOffset = firstOffset
        }
    }

    public var throttleTimeMs: Int32
    /// v7+.
    public var errorCode: Int16
    /// v7+.
    public var sessionID: Int32
    public var responses: [Topic]

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, sessionID: Int32 = 0, responses: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.sessionID = sessionID
        self.responses = responses
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        encode(&writer, version: version) { writer, records in writer.nullableBytes(records) }
    }

    /// Encodes the response, handing each partition's record set to `records` (which must write it as
    /// NULLABLE_BYTES): lets a server queue large record sets as their own output chunks instead of copying them.
    public func encode(
        _ writer: inout KafkaWriter, version: Int16, records: (inout KafkaWriter, [UInt8]?) -> Void
    ) {
        if version >= 1 { writer.int32(throttleTimeMs) }
        if version >= 7 {
            writer.int16(errorCode)
            writer.int32(sessionID)
        }
        writer.array(responses) { writer, topic in
            writer.string(topic.topic)
            writer.array(topic.partitions) { writer, partition in
                writer.int32(partition.partitionIndex)
                writer.int16(partition.errorCode)
                writer.int64(partition.highWatermark)
                if version >= 4 { writer.int64(partition.lastStableOffset) }
                if version >= 5 { writer.int64(partition.logStartOffset) }
                if version >= 4 {
                    writer.nullableArray(partition.abortedTransactions) { writer, aborted in
                        writer.int64(aborted.producerID)
                        writer.int64(aborted.firstOffset)
                    }
                }
                if version >= 11 { writer.int32(partition.preferredReadReplica) }
                records(&writer, partition.records)
            }
        }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> FetchResponse {
        var response = FetchResponse(responses: [])
        if version >= 1 { response.throttleTimeMs = try reader.int32() }
        if version >= 7 {
            response.errorCode = try reader.int16()
            response.sessionID = try reader.int32()
        }
        response.responses = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            Topic(
                topic: try reader.string(),
                partitions: try reader.array(minimumElementBytes: 18) { reader throws(KafkaWireError) in
                    try decodePartition(&reader, version: version)
                })
        }
        return response
    }

    private static func decodePartition(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> Partition
    {
        var partition = Partition(
            partitionIndex: try reader.int32(), errorCode: try reader.int16(), highWatermark: try reader.int64(),
            records: nil)
        if version >= 4 { partition.lastStableOffset = try reader.int64() }
        if version >= 5 { partition.logStartOffset = try reader.int64() }
        if version >= 4 {
            partition.abortedTransactions = try reader.nullableArray(minimumElementBytes: 16) {
                reader throws(KafkaWireError) in
                AbortedTransaction(producerID: try reader.int64(), firstOffset: try reader.int64())
            }
        }
        if version >= 11 { partition.preferredReadReplica = try reader.int32() }
        partition.records = try reader.nullableBytes()
        return partition
    }
}
