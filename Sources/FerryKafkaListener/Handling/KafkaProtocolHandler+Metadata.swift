import FerryBroker
import FerryKafkaWire
import Synchronization

extension KafkaProtocolHandler {
    /// Metadata: this node is every partition's leader and only replica. Asking for a missing topic creates it
    /// when the client allows auto-creation (v4+; always before) and the broker does; `__ferry_*` topics are
    /// listed as internal.
    func metadata(_ request: MetadataRequest, version: Int16, _ session: KafkaSession, _ responder: KafkaResponder) {
        let node = configuration.nodeID
        var topics: [MetadataResponse.Topic] = []
        // v0 has no null: an empty list means every topic, as null does from v1.
        let wanted = request.topics.flatMap { version == 0 && $0.isEmpty ? nil : $0 }
        if let wanted {
            for name in wanted {
                topics.append(describe(name, create: request.allowAutoTopicCreation || version < 4, session: session))
            }
        } else {
            for summary in broker.listTopics() {
                topics.append(
                    Self.topicMetadata(summary.name, partitions: summary.partitionCount, node: node, internal: false))
            }
            for internalTopic in broker.internalTopics().sorted(by: { $0.name < $1.name }) {
                topics.append(
                    Self.topicMetadata(
                        internalTopic.name, partitions: internalTopic.partitionCount, node: node, internal: true))
            }
        }
        let response = MetadataResponse(
            brokers: [
                .init(nodeID: node, host: configuration.advertisedHost, port: Int32(advertisedPort))
            ],
            clusterID: configuration.clusterID, controllerID: node, topics: topics)
        send(response, version: version, to: responder)
    }

    private func describe(_ name: String, create: Bool, session: KafkaSession) -> MetadataResponse.Topic {
        let node = configuration.nodeID
        if ResourceName.isInternalTopic(name) {
            if let internalTopic = broker.internalTopics().first(where: { $0.name == name }) {
                return Self.topicMetadata(name, partitions: internalTopic.partitionCount, node: node, internal: true)
            }
            return MetadataResponse.Topic(
                errorCode: KafkaErrorCode.unknownTopicOrPartition.rawValue, name: name, partitions: [])
        }
        if let metadata = broker.metadata(of: name) {
            return Self.topicMetadata(name, partitions: metadata.partitionCount, node: node, internal: false)
        }
        var error = KafkaErrorCode.unknownTopicOrPartition
        do throws(BrokerError) {
            try ResourceName.validateTopic(name)
            if create, broker.configuration.autoCreateTopics, mayAdminister(session) {
                if broker.storage.topicAdministrationBlocks {
                    // Created in the background: the client asks again (LEADER_NOT_AVAILABLE is retriable).
                    let broker = self.broker
                    let partitions = configuration.defaultPartitions
                    DispatchQueueHop.run { _ = try? broker.createTopic(name: name, partitions: partitions) }
                    error = .leaderNotAvailable
                } else {
                    do {
                        try broker.createTopic(name: name, partitions: configuration.defaultPartitions)
                    } catch .topicExists {}
                    if let metadata = broker.metadata(of: name) {
                        return Self.topicMetadata(
                            name, partitions: metadata.partitionCount, node: node, internal: false)
                    }
                }
            }
        } catch let failure {
            error = KafkaErrorCode(failure)
        }
        return MetadataResponse.Topic(errorCode: error.rawValue, name: name, partitions: [])
    }

    static func topicMetadata(_ name: String, partitions: Int, node: Int32, internal isInternal: Bool)
        -> MetadataResponse.Topic
    {
        MetadataResponse.Topic(
            name: name, isInternal: isInternal,
            partitions: (0..<partitions).map {
                .init(partitionIndex: Int32($0), leaderID: node, leaderEpoch: 0, replicaNodes: [node], isrNodes: [node])
            })
    }

    /// Whether the session's principal may create topics (always, without credentials).
    func mayAdminister(_ session: KafkaSession) -> Bool {
        guard configuration.authenticator != nil else { return true }
        return session.state.withLock { $0.principal }?.mayAdminister ?? false
    }

    func mayRead(_ session: KafkaSession, topic: String) -> Bool {
        guard configuration.authenticator != nil else { return true }
        return session.state.withLock { $0.principal }?.mayRead(topic) ?? false
    }

    func mayWrite(_ session: KafkaSession, topic: String) -> Bool {
        guard configuration.authenticator != nil else { return true }
        return session.state.withLock { $0.principal }?.mayWrite(topic) ?? false
    }

    /// FindCoordinator: this node coordinates every group (key type 0) and transaction (1).
    func findCoordinator(_ request: FindCoordinatorRequest, version: Int16, _ responder: KafkaResponder) {
        var error = KafkaErrorCode.none
        if request.keyType == 0 {
            if broker.localShard(broker.shardIndex(of: .group(request.key))) == nil { error = .coordinatorNotAvailable }
        } else if request.keyType != 1 {
            error = .invalidRequest
        }
        let response = FindCoordinatorResponse(
            errorCode: error.rawValue, errorMessage: error == .none ? nil : "coordinator not available",
            nodeID: error == .none ? configuration.nodeID : -1,
            host: error == .none ? configuration.advertisedHost : "",
            port: error == .none ? Int32(advertisedPort) : -1)
        send(response, version: version, to: responder)
    }
}
