/// `GET /v1/topics/{topic}`.
public struct TopicDescription: Sendable, Equatable {
    public struct Partition: Sendable, Equatable {
        public var partition: Int
        public var startOffset: Int64
        public var endOffset: Int64
        /// nil where the engine cannot tell (Kafka).
        public var bytes: Int64?
        /// nil where the engine cannot tell (Kafka).
        public var segments: Int?
    }
    public var name: String
    public var partitions: [Partition]
    public var config: TopicConfig
    public var createdAt: Int64
    public var partitionCount: Int { partitions.count }
}

/// One row of `GET /v1/topics`.
public struct TopicSummary: Sendable, Equatable {
    public var name: String
    public var partitionCount: Int
    /// Σ (end − start) over partitions.
    public var messages: Int64
    /// nil where the engine cannot tell (Kafka).
    public var bytes: Int64?
}
