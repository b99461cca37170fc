/// DeleteTopics request (key 20, v0–3): delete topics by name.
public struct DeleteTopicsRequest: Equatable, Sendable {
    public var topicNames: [String]
    public var timeoutMs: Int32

    public init(topicNames: [String], timeoutMs: Int32) {
        self.topicNames = topicNames
        self.timeoutMs = timeoutMs
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> DeleteTopicsRequest
    {
        DeleteTopicsRequest(topicNames: try reader.stringArray(), timeoutMs: try reader.int32())
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.stringArray(topicNames)
        writer.int32(timeoutMs)
    }
}

/// DeleteTopics response (v0–3): an error code per topic.
public struct DeleteTopicsResponse: Equatable, Sendable {
    /// One topic's result (Kafka's `DeletableTopicResult`).
    public struct TopicResult: Equatable, Sendable {
        public var name: String
        public var errorCode: Int16

        public init(name: String, errorCode: Int16 = 0) {
            self.name = name
            self.errorCode = errorCode
        }
    }

    /// v1+.
    public var throttleTimeMs: Int32
    public var responses: [TopicResult]

    public init(throttleTimeMs: Int32 = 0, responses: [TopicResult]) {
        self.throttleTimeMs = throttleTimeMs
        self.responses = responses
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 1 { writer.int32(throttleTimeMs) }
        writer.array(responses) { writer, result in
            writer.string(result.name)
            writer.int16(result.errorCode)
        }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> DeleteTopicsResponse
    {
        let throttleTimeMs = version >= 1 ? try reader.int32() : 0
        let responses = try reader.array(minimumElementBytes: 4) { reader throws(KafkaWireError) in
            TopicResult(name: try reader.string(), errorCode: try reader.int16())
        }
        return DeleteTopicsResponse(throttleTimeMs: throttleTimeMs, responses: responses)
    }
}

/// CreatePartitions request (key 37, v0–1): raise topics' partition counts.
public struct CreatePartitionsRequest: Equatable, Sendable {
    /// One topic's new partition count (Kafka's `CreatePartitionsTopic`).
    public struct Topic: Equatable, Sendable {
        public var name: String
        public var count: Int32
        /// The new partitions' replicas, or nil for the broker's choice.
        public var assignments: [Assignment]?

        public init(name: String, count: Int32, assignments: [Assignment]? = nil) {
            self.name = name
            self.count = count
            self.assignments = assignments
        }
    }

    /// One new partition's replicas (Kafka's `CreatePartitionsAssignment`).
    public struct Assignment: Equatable, Sendable {
        public var brokerIDs: [Int32]

        public init(brokerIDs: [Int32]) { self.brokerIDs = brokerIDs }
    }

    public var topics: [Topic]
    public var timeoutMs: Int32
    public var validateOnly: Bool

    public init(topics: [Topic], timeoutMs: Int32, validateOnly: Bool = false) {
        self.topics = topics
        self.timeoutMs = timeoutMs
        self.validateOnly = validateOnly
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> CreatePartitionsRequest
    {
        let topics = try reader.array(minimumElementBytes: 10) { reader throws(KafkaWireError) in
            Topic(
                name: try reader.string(), count: try reader.int32(),
                assignments: try reader.nullableArray(minimumElementBytes: 4) { reader throws(KafkaWireError) in
                    Assignment(brokerIDs: try reader.int32Array())
                })
        }
        return CreatePartitionsRequest(topics: topics, timeoutMs: try reader.int32(), validateOnly: try reader.bool())
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.array(topics) { writer, topic in
            writer.string(topic.name)
            writer.int32(topic.count)
            writer.nullableArray(topic.assignments) { writer, assignment in writer.int32Array(assignment.brokerIDs) }
        }
        writer.int32(timeoutMs)
        writer.bool(validateOnly)
    }
}

/// CreatePartitions response (v0–1): an error code and message per topic.
public struct CreatePartitionsResponse: Equatable, Sendable {
    /// One topic's result (Kafka's `CreatePartitionsTopicResult`).
    public struct TopicResult: Equatable, Sendable {
        public var name: String
        public var errorCode: Int16
        public var errorMessage: String?

        public init(name: String, errorCode: Int16 = 0, errorMessage: String? = nil) {
            self.name = name
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }
    }

    public var throttleTimeMs: Int32
    public var results: [TopicResult]

    public init(throttleTimeMs: Int32 = 0, results: [TopicResult]) {
        self.throttleTimeMs = throttleTimeMs
        self.results = results
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.int32(throttleTimeMs)
        writer.array(results) { writer, result in
            writer.string(result.name)
            writer.int16(result.errorCode)
            writer.nullableString(result.errorMessage)
        }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> CreatePartitionsResponse
    {
        let throttleTimeMs = try reader.int32()
        let results = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            TopicResult(
                name: try reader.string(), errorCode: try reader.int16(), errorMessage: try reader.nullableString())
        }
        return CreatePartitionsResponse(throttleTimeMs: throttleTimeMs, results: results)
    }
}
