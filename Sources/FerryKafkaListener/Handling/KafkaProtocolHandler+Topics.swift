import FerryBroker
import FerryKafkaWire
import Synchronization

extension KafkaProtocolHandler {
    /// CreateTopics: one replica (this node) per partition; Kafka's config names (`retention.ms`, …) map to the
    /// topic config the HTTP API shows (`retention_ms`, …).
    func createTopics(
        _ request: CreateTopicsRequest, version: Int16, _ session: KafkaSession, _ responder: KafkaResponder
    ) {
        let allowed = mayAdminister(session)
        let defaults = broker.configuration.defaultTopicConfig
        let partitionsDefault = configuration.defaultPartitions
        administer(responder) { [self] in
            let results = request.topics.map { topic -> CreateTopicsResponse.Topic in
                guard allowed else {
                    return .init(name: topic.name, errorCode: KafkaErrorCode.clusterAuthorizationFailed.rawValue)
                }
                guard topic.replicationFactor == -1 || topic.replicationFactor == 1 else {
                    return .init(
                        name: topic.name, errorCode: KafkaErrorCode.invalidReplicationFactor.rawValue,
                        errorMessage: "replication factor \(topic.replicationFactor) is larger than the 1 broker here")
                }
                guard topic.assignments.isEmpty else {
                    return .init(
                        name: topic.name, errorCode: KafkaErrorCode.invalidReplicaAssignment.rawValue,
                        errorMessage: "manual replica assignment is not supported")
                }
                do throws(BrokerError) {
                    var config = defaults
                    for entry in topic.configs {
                        let key = String(entry.name.map { $0 == "." ? "_" : $0 })
                        guard let value = entry.value else { continue }
                        if let integer = Int64(value) {
                            try config.set(key, integer: integer)
                        } else {
                            try config.set(key, string: value)
                        }
                    }
                    let partitions = topic.numPartitions == -1 ? partitionsDefault : Int(topic.numPartitions)
                    guard partitions >= 1 else {
                        throw .invalidPartitions("number of partitions must be at least 1")
                    }
                    try ResourceName.validateTopic(topic.name)
                    if request.validateOnly {
                        if broker.metadata(of: topic.name) != nil { throw .topicExists(topic.name) }
                    } else {
                        _ = try broker.createTopic(name: topic.name, partitions: partitions, config: config)
                    }
                    return .init(name: topic.name)
                } catch {
                    return .init(
                        name: topic.name, errorCode: KafkaErrorCode(error).rawValue, errorMessage: error.description)
                }
            }
            send(CreateTopicsResponse(topics: results), version: version, to: responder)
        }
    }

    func deleteTopics(
        _ request: DeleteTopicsRequest, version: Int16, _ session: KafkaSession, _ responder: KafkaResponder
    ) {
        let allowed = mayAdminister(session)
        administer(responder) { [self] in
            let results = request.topicNames.map { name -> DeleteTopicsResponse.TopicResult in
                guard allowed else {
                    return .init(name: name, errorCode: KafkaErrorCode.clusterAuthorizationFailed.rawValue)
                }
                do throws(BrokerError) {
                    try broker.deleteTopic(name)
                    return .init(name: name)
                } catch {
                    return .init(name: name, errorCode: KafkaErrorCode(error).rawValue)
                }
            }
            send(DeleteTopicsResponse(responses: results), version: version, to: responder)
        }
    }

    func createPartitions(
        _ request: CreatePartitionsRequest, version: Int16, _ session: KafkaSession, _ responder: KafkaResponder
    ) {
        let allowed = mayAdminister(session)
        administer(responder) { [self] in
            let results = request.topics.map { topic -> CreatePartitionsResponse.TopicResult in
                guard allowed else {
                    return .init(name: topic.name, errorCode: KafkaErrorCode.clusterAuthorizationFailed.rawValue)
                }
                do throws(BrokerError) {
                    let current = try broker.existingTopic(topic.name).partitionCount
                    guard Int(topic.count) > current else {
                        throw .invalidPartitions("topic '\(topic.name)' has \(current) partitions; ask for more")
                    }
                    if !request.validateOnly {
                        _ = try broker.alterTopic(topic.name, partitions: Int(topic.count)) { _ throws(BrokerError) in }
                    }
                    return .init(name: topic.name)
                } catch {
                    return .init(
                        name: topic.name, errorCode: KafkaErrorCode(error).rawValue, errorMessage: error.description)
                }
            }
            send(CreatePartitionsResponse(results: results), version: version, to: responder)
        }
    }

    /// Runs topic administration inline, or on a Dispatch thread when the engine waits for a network.
    private func administer(_ responder: KafkaResponder, _ work: @escaping @Sendable () -> Void) {
        if broker.storage.topicAdministrationBlocks { DispatchQueueHop.run(work) } else { work() }
    }
}
