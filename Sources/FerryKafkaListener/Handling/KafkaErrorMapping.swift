import FerryBroker
import FerryKafkaWire

extension KafkaErrorCode {
    /// The Kafka error a broker failure becomes.
    init(_ error: BrokerError) {
        switch error {
        case .invalidTopicName, .invalidName: self = .invalidTopicException
        case .topicNotFound, .partitionNotFound: self = .unknownTopicOrPartition
        case .topicExists: self = .topicAlreadyExists
        case .invalidPartitions: self = .invalidPartitions
        case .invalidConfig: self = .invalidConfig
        case .invalidRecord(_, let reason) where reason.contains("timestamp"): self = .invalidTimestamp
        case .invalidRecord: self = .invalidRecord
        case .invalidParameter: self = .invalidRequest
        case .messageTooLarge: self = .messageTooLarge
        case .offsetOutOfRange: self = .offsetOutOfRange
        case .groupNotFound: self = .groupIDNotFound
        case .groupNotEmpty: self = .nonEmptyGroup
        case .memberNotFound: self = .unknownMemberID
        case .insufficientStorage: self = .kafkaStorageError
        case .unavailable: self = .coordinatorNotAvailable
        default: self = .unknown
        }
    }
}
