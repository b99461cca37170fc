/// Metadata request (key 3, v0–8): the brokers, and the partitions and leaders of some or all topics.
public struct MetadataRequest: Equatable, Sendable {
    /// The topic names; nil asks for every topic. (v0 has no null: its empty array means every topic, and
    /// decodes as nil; nil encodes at v0 as an empty array.)
    public var topics: [String]?
    /// v4+ (true before).
    public var allowAutoTopicCreation: Bool
    /// v8+.
    public var includeClusterAuthorizedOperations: Bool
    /// v8+.
    public var includeTopicAuthorizedOperations: Bool

    public init(
        topics: [String]?, allowAutoTopicCreation: Bool = true, includeClusterAuthorizedOperations: Bool = false,
        includeTopicAuthorizedOperations: Bool = false
    ) {
        self.topics = topics
        self.allowAutoTopicCreation = allowAutoTopicCreation
        self.includeClusterAuthorizedOperations = includeClusterAuthorizedOperations
        self.includeTopicAuthorizedOperations = includeTopicAuthorizedOperations
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> MetadataRequest {
        var topics = try reader.nullableArray(minimumElementBytes: 2) { reader throws(KafkaWireError) in
            try reader.string()
        }
        if version == 0, topics?.isEmpty ?? true { topics = nil }
        var request = MetadataRequest(topics: topics)
        if version >= 4 { request.allowAutoTopicCreation = try reader.bool() }
        if version >= 8 {
            request.includeClusterAuthorizedOperations = try reader.bool()
            request.includeTopicAuthorizedOperations = try reader.bool()
        }
        return request
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version == 0 {
            writer.stringArray(topics ?? [])
        } else {
            writer.nullableArray(topics) { writer, name in writer.string(name) }
        }
        if version >= 4 { writer.bool(allowAutoTopicCreation) }
        if version >= 8 {
            writer.bool(includeClusterAuthorizedOperations)
            writer.bool(includeTopicAuthorizedOperations)
        }
    }
}

/// Metadata response (v0–8): the brokers, the controller, and each requested topic's partitions.
public struct MetadataResponse: Equatable, Sendable {
    /// One broker of the cluster.
    public struct Broker: Equatable, Sendable {
        public var nodeID: Int32
        public var host: String
        public var port: Int32
        /// v1+.
        public var rack: String?

        public init(nodeID: Int32, host: String, port: Int32, rack: String? = nil) {
            self.nodeID = nodeID
            self.host = host
            self.port = port
            self.rack = rack
        }
    }

    /// One topic, or the error for a topic that could not be described.
    public struct Topic: Equatable, Sendable {
        public var errorCode: Int16
        public var name: String
        /// v1+.
        public var isInternal: Bool
        public var partitions: [Partition]
        /// v8+ (Int32.min = not requested).
        public var topicAuthorizedOperations: Int32

        public init(
            errorCode: Int16 = 0, name: String, isInternal: Bool = false, partitions: [Partition],
            topicAuthorizedOperations: Int32 = Int32.min
        ) {
            self.errorCode = errorCode
            self.name = name
            self.isInternal = isInternal
            self.partitions = partitions
            self.topicAuthorizedOperations = topicAuthorizedOperations
        }
    }

    /// One partition: its leader and replicas.
    public struct Partition: Equatable, Sendable {
        public var errorCode: Int16
        public var partitionIndex: Int32
        public var leaderID: Int32
        /// v7+.
        public var leaderEpoch: Int32
        public var replicaNodes: [Int32]
        public var isrNodes: [Int32]
        /// v5+.
        public var offlineReplicas: [Int32]

        public init(
            errorCode: Int16 = 0, partitionIndex: Int32, leaderID: Int32, leaderEpoch: Int32 = -1,
            replicaNodes: [Int32], isrNodes: [Int32], offlineReplicas: [Int32] = []
        ) {
            self.errorCode = errorCode
            self.partitionIndex = partitionIndex
            self.leaderID = leaderID
            self.leaderEpoch = leaderEpoch
            self.replicaNodes = replicaNodes
            self.isrNodes = isrNodes
            self.offlineReplicas = offlineReplicas
        }
    }

    /// v3+.
    public var throttleTimeMs: Int32
    public var brokers: [Broker]
    /// v2+.
    public var clusterID: String?
    /// v1+ (-1 before).
    public var controllerID: Int32
    public var topics: [Topic]
    /// v8 only here (Int32.min = not requested).
    public var clusterAuthorizedOperations: Int32

    public init(
        throttleTimeMs: Int32 = 0, brokers: [Broker], clusterID: String? = nil, controllerID: Int32 = -1,
        topics: [Topic], clusterAuthorizedOperations: Int32 = Int32.min
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.brokers = brokers
        self.clusterID = clusterID
        self.controllerID = controllerID
        self.topics = topics
        self.clusterAuthorizedOperations = clusterAuthorizedOperations
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 3 { writer.int32(throttleTimeMs) }
        writer.array(brokers) { writer, broker in
            writer.int32(broker.nodeID)
            writer.string(broker.host)
            writer.int32(broker.port)
            if version >= 1 { writer.nullableString(broker.rack) }
        }
        if version >= 2 { writer.nullableString(clusterID) }
        if version >= 1 { writer.int32(controllerID) }
        writer.array(topics) { writer, topic in
            writer.int16(topic.errorCode)
            writer.string(topic.name)
            if version >= 1 { writer.bool(topic.isInternal) }
            writer.array(topic.partitions) { writer, partition in
                writer.int16(partition.errorCode)
                writer.int32(partition.partitionIndex)
                writer.int32(partition.leaderID)
                if version >= 7 { writer.int32(partition.leaderEpoch) }
                writer.int32Array(partition.replicaNodes)
                writer.int32Array(partition.isrNodes)
                if version >= 5 { writer.int32Array(partition.offlineReplicas) }
            }
            if version >= 8 { writer.int32(topic.topicAuthorizedOperations) }
        }
        if version >= 8 { writer.int32(clusterAuthorizedOperations) }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> MetadataResponse {
        var response = MetadataResponse(brokers: [], topics: [])
        if version >= 3 { response.throttleTimeMs = try reader.int32() }
        response.brokers = try reader.array(minimumElementBytes: 10) { reader throws(KafkaWireError) in
            var broker = Broker(nodeID: try reader.int32(), host: try reader.string(), port: try reader.int32())
            if version >= 1 { broker.rack = try reader.nullableString() }
            return broker
        }
        if version >= 2 { response.clusterID = try reader.nullableString() }
        if version >= 1 { response.controllerID = try reader.int32() }
        response.topics = try reader.array(minimumElementBytes: 8) { reader throws(KafkaWireError) in
            try decodeTopic(&reader, version: version)
        }
        if version >= 8 { response.clusterAuthorizedOperations = try reader.int32() }
        return response
    }

    private static func decodeTopic(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> Topic {
        var topic = Topic(errorCode: try reader.int16(), name: try reader.string(), partitions: [])
        if version >= 1 { topic.isInternal = try reader.bool() }
        topic.partitions = try reader.array(minimumElementBytes: 18) { reader throws(KafkaWireError) in
            var partition = Partition(
                errorCode: try reader.int16(), partitionIndex: try reader.int32(), leaderID: try reader.int32(),
                replicaNodes: [], isrNodes: [])
            if version >= 7 { partition.leaderEpoch = try reader.int32() }
            partition.replicaNodes = try reader.int32Array()
            partition.isrNodes = try reader.int32Array()
            if version >= 5 { partition.offlineReplicas = try reader.int32Array() }
            return partition
        }
        if version >= 8 { topic.topicAuthorizedOperations = try reader.int32() }
        return topic
    }
}
