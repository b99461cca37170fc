/// CreateTopics request (key 19, v0–4): create topics with a partition count (or a manual assignment) and
/// configs.
public struct CreateTopicsRequest: Equatable, Sendable {
    /// One topic to create (Kafka's `CreatableTopic`).
    public struct Topic: Equatable, Sendable {
        public var name: String
        /// -1 = the broker's default (or the manual assignment's count).
        public var numPartitions: Int32
        /// -1 = the broker's default.
        public var replicationFactor: Int16
        public var assignments: [Assignment]
        public var configs: [Config]

        public init(
            name: String, numPartitions: Int32, replicationFactor: Int16, assignments: [Assignment] = [],
            configs: [Config] = []
        ) {
            self.name = name
            self.numPartitions = numPartitions
            self.replicationFactor = replicationFactor
            self.assignments = assignments
            self.configs = configs
        }
    }

    /// One partition's manual replica placement (Kafka's `CreatableReplicaAssignment`).
    public struct Assignment: Equatable, Sendable {
        public var partitionIndex: Int32
        public var brokerIDs: [Int32]

        public init(partitionIndex: Int32, brokerIDs: [Int32]) {
            self.partitionIndex = partitionIndex
            self.brokerIDs = brokerIDs
        }
    }

    /// One topic config (Kafka's `CreatableTopicConfig`).
    public struct Config: Equatable, Sendable {
        public var name: String
        public var value: String?

        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }
    }

    public var topics: [Topic]
    public var timeoutMs: Int32
    /// v1+.
    public var validateOnly: Bool

    public init(topics: [Topic], timeoutMs: Int32 = 60000, validateOnly: Bool = false) {
        self.topics = topics
        self.timeoutMs = timeoutMs
        self.validateOnly = validateOnly
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> CreateTopicsRequest
    {
        let topics = try reader.array(minimumElementBytes: 16) { reader throws(KafkaWireError) in
            try decodeTopic(&reader)
        }
        let timeoutMs = try reader.int32()
        let validateOnly = version >= 1 ? try reader.bool() : false
        return CreateTopicsRequest(topics: topics, timeoutMs: timeoutMs, validateOnly: validateOnly)
    }

    private static func decodeTopic(_ reader: inout KafkaReader) throws(KafkaWireError) -> Topic {
        Topic(
            name: try reader.string(), numPartitions: try reader.int32(), replicationFactor: try reader.int16(),
            assignments: try reader.array(minimumElementBytes: 8) { reader throws(KafkaWireError) in
                Assignment(partitionIndex: try reader.int32(), brokerIDs: try reader.int32Array())
            },
            configs: try reader.array(minimumElementBytes: 4) { reader throws(KafkaWireError) in
                Config(name: try reader.string(), value: try reader.nullableString())
            })
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.array(topics) { writer, topic in
            writer.string(topic.name)
            writer.int32(topic.numPartitions)
            writer.int16(topic.replicationFactor)
            writer.array(topic.assignments) { writer, assignment in
                writer.int32(assignment.partitionIndex)
                writer.int32Array(assignment.brokerIDs)
            }
            writer.array(topic.configs) { writer, config in
                writer.string(config.name)
                writer.nullableString(config.value)
            }
        }
        writer.int32(timeoutMs)
        if version >= 1 { writer.bool(validateOnly) }
    }
}

/// CreateTopics response (v0–4): an error code (and from v1 a message) per topic.
public struct CreateTopicsResponse: Equatable, Sendable {
    /// One topic's result (Kafka's `CreatableTopicResult`).
    public struct Topic: Equatable, Sendable {
        public var name: String
        public var errorCode: Int16
        /// v1+.
        public var errorMessage: String?

        public init(name: String, errorCode: Int16 = 0, errorMessage: String? = nil) {
            self.name = name
            self.errorCode = errorCode
            self.errorMessage = errorMessage
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
            writer.int16(topic.errorCode)
            if version >= 1 { writer.nullableString(topic.errorMessage) }
        }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> CreateTopicsResponse
    {
        let throttleTimeMs = version >= 2 ? try reader.int32() : 0
        let topics = try reader.array(minimumElementBytes: 4) { reader throws(KafkaWireError) in
            Topic(
                name: try reader.string(), errorCode: try reader.int16(),
                errorMessage: version >= 1 ? try reader.nullableString() : nil)
        }
        return CreateTopicsResponse(throttleTimeMs: throttleTimeMs, topics: topics)
    }
}
