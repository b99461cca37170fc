/// One Kafka record header: a name and bytes (nil for a null value). Kafka allows repeated names; order is kept.
public struct KafkaHeader: Sendable, Equatable {
    public var name: String
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }
}

/// A record to produce to one explicit partition (Ferry picks partitions itself; no librdkafka partitioner runs).
public struct KafkaProducerRecord: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    /// nil: a null key (not the same as an empty key).
    public var key: [UInt8]?
    /// nil: a null value, a tombstone on a compacted topic.
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Create time in milliseconds since the Unix epoch; nil lets librdkafka stamp it with the current time.
    /// A topic with `message.timestamp.type=LogAppendTime` replaces it with the broker's time.
    public var timestampMilliseconds: Int64?

    public init(
        topic: String, partition: Int32, key: [UInt8]? = nil, value: [UInt8]?, headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// What the cluster acknowledged for one produced record.
public struct KafkaDeliveryReport: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    /// The offset the partition leader assigned.
    public var offset: Int64
    /// The record's timestamp as the broker reports it (with LogAppendTime: the broker's; otherwise the create
    /// time sent), in milliseconds since the epoch; nil if not available.
    public var timestampMilliseconds: Int64?
}

/// Which clock a consumed record's timestamp comes from.
public enum KafkaTimestampType: Sendable, Equatable {
    case createTime
    case logAppendTime
    case notAvailable
}

/// A record read from a partition.
public struct KafkaRecord: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var timestampMilliseconds: Int64
    public var timestampType: KafkaTimestampType
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]

    public init(
        topic: String, partition: Int32, offset: Int64, timestampMilliseconds: Int64,
        timestampType: KafkaTimestampType, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestampMilliseconds = timestampMilliseconds
        self.timestampType = timestampType
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// One partition of one topic.
public struct KafkaTopicPartition: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)/\(partition)" }
}

/// A partition's offset range: `logStartOffset` is the first offset still stored, `highWatermark` the offset
/// the next record will get (Kafka's high watermark: the end of what consumers may read).
public struct KafkaWatermarks: Sendable, Equatable {
    public var logStartOffset: Int64
    public var highWatermark: Int64

    public init(logStartOffset: Int64, highWatermark: Int64) {
        self.logStartOffset = logStartOffset
        self.highWatermark = highWatermark
    }
}
