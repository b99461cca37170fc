import FerryBroker
import FerryKafka

/// The one place a ``KafkaError`` becomes a ``BrokerError`` (and so an HTTP status).
enum KafkaErrorMapping {
    static let invalidConfigCodes: Set<Int32> = [
        37,  // INVALID_PARTITIONS
        38,  // INVALID_REPLICATION_FACTOR
        40,  // INVALID_CONFIG
        44,  // POLICY_VIOLATION
    ]

    static func brokerError(_ error: KafkaError, topic: String? = nil, partition: Int? = nil) -> BrokerError {
        switch error.code {
        case KafkaError.unknownTopicOrPartitionCode, KafkaError.unknownTopicCode:
            if let topic, let partition { return .partitionNotFound(topic: topic, partition: partition) }
            return topic.map { .topicNotFound($0) } ?? .internal("Kafka: \(error)")
        case KafkaError.unknownPartitionCode:
            if let topic, let partition { return .partitionNotFound(topic: topic, partition: partition) }
            return .internal("Kafka: \(error)")
        case KafkaError.topicAlreadyExistsCode:
            return topic.map { .topicExists($0) } ?? .internal("Kafka: \(error)")
        case KafkaError.messageTooLargeCode:
            return .invalidRecord(index: 0, reason: "Kafka refused the records as too large: \(error.message)")
        case let code where invalidConfigCodes.contains(code):
            return .invalidConfig("Kafka refused it: \(error.message)")
        default:
            if error.isTransport || error.isRetriable || error.code == KafkaError.queueFullCode {
                return .unavailable("the Kafka cluster cannot take the request now: \(error)")
            }
            return .internal("Kafka: \(error)")
        }
    }
}
