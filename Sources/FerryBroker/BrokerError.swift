/// Every way a broker operation can fail on its input or state. `FerryAPI` maps each case to one
/// problem+json slug and status (the broker itself knows nothing of HTTP).
public enum BrokerError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidTopicName(String)
    case invalidName(kind: String, name: String)
    case invalidConfig(String)
    case invalidPartitions(String)
    case invalidRecord(index: Int, reason: String)
    case invalidParameter(name: String, reason: String)
    case topicNotFound(String)
    case topicExists(String)
    case partitionNotFound(topic: String, partition: Int)
    case groupNotFound(String)
    case queueNotFound(topic: String, queue: String)
    case queueExists(topic: String, queue: String)
    case subscriptionNotFound(topic: String, name: String)
    case subscriptionExists(topic: String, name: String)
    /// A webhook URL that is not http/https, or (with the private-network guard) resolves to a refused address.
    case invalidURL(String)
    case memberNotFound(group: String, member: String)
    case groupNotEmpty(String)
    case notPartitionOwner(topic: String, partition: Int)
    case offsetOutOfRange(requested: Int64, startOffset: Int64, endOffset: Int64)
    case messageTooLarge(index: Int, bytes: Int, limit: Int)
    case idempotencyKeyReused(String)
    case insufficientStorage(String)
    case unavailable(String)
    case `internal`(String)

    public var description: String {
        switch self {
        case .invalidTopicName(let name):
            return "invalid topic name '\(name)': use 1-249 of [A-Za-z0-9._-], not '.' or '..', not starting with '__'"
        case .invalidName(let kind, let name): return "invalid \(kind) name '\(name)': use 1-249 of [A-Za-z0-9._-]"
        case .invalidConfig(let reason): return "invalid config: \(reason)"
        case .invalidPartitions(let reason): return reason
        case .invalidRecord(let index, let reason): return "record \(index): \(reason)"
        case .invalidParameter(let name, let reason): return "\(name): \(reason)"
        case .topicNotFound(let topic): return "topic '\(topic)' does not exist"
        case .topicExists(let topic): return "topic '\(topic)' already exists"
        case .partitionNotFound(let topic, let partition): return "topic '\(topic)' has no partition \(partition)"
        case .groupNotFound(let group): return "group '\(group)' does not exist"
        case .queueNotFound(let topic, let queue): return "topic '\(topic)' has no queue '\(queue)'"
        case .queueExists(let topic, let queue): return "topic '\(topic)' already has a queue '\(queue)'"
        case .subscriptionNotFound(let topic, let name): return "topic '\(topic)' has no subscription '\(name)'"
        case .subscriptionExists(let topic, let name): return "topic '\(topic)' already has a subscription '\(name)'"
        case .invalidURL(let reason): return reason
        case .memberNotFound(let group, let member): return "member '\(member)' is not in group '\(group)'"
        case .groupNotEmpty(let group): return "group '\(group)' has members"
        case .notPartitionOwner(let topic, let partition):
            return "the member does not own partition \(partition) of topic '\(topic)'"
        case .offsetOutOfRange(let requested, let start, let end):
            return "offset \(requested) is outside [\(start), \(end)]"
        case .messageTooLarge(let index, let bytes, let limit):
            return "record \(index) is \(bytes) bytes, over max_message_bytes \(limit)"
        case .idempotencyKeyReused(let key): return "Idempotency-Key '\(key)' was used with a different request"
        case .insufficientStorage(let reason): return "insufficient storage: \(reason)"
        case .unavailable(let reason): return reason
        case .internal(let reason): return reason
        }
    }
}
