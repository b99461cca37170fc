/// A topic and one of its partitions.
public struct TopicPartition: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int

    public init(topic: String, partition: Int) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        lhs.topic != rhs.topic ? lhs.topic < rhs.topic : lhs.partition < rhs.partition
    }

    public var description: String { "\(topic)/\(partition)" }
}

/// Where a group starts reading a partition it has no committed offset for.
public enum OffsetReset: String, Sendable, Equatable {
    case earliest
    case latest
}
