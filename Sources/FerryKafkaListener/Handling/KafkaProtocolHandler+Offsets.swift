import FerryBroker
import FerryKafkaWire
import Synchronization

extension KafkaProtocolHandler {
    /// OffsetCommit: checked against the Kafka membership (generation, member), then committed to the broker's
    /// group coordinator, the one `GET /v1/groups/{group}` reads. Answered once durable.
    func offsetCommit(
        _ request: OffsetCommitRequest, version: Int16, _ session: KafkaSession, _ responder: KafkaResponder
    ) {
        func answer(_ errorFor: (String, Int32) -> KafkaErrorCode) {
            let topics = request.topics.map { topic in
                OffsetCommitResponse.Topic(
                    name: topic.name,
                    partitions: topic.partitions.map {
                        .init(
                            partitionIndex: $0.partitionIndex,
                            errorCode: errorFor(topic.name, $0.partitionIndex).rawValue)
                    })
            }
            send(OffsetCommitResponse(topics: topics), version: version, to: responder)
        }
        if let refusal = groupRefusal(request.groupID) {
            return answer { _, _ in refusal == .inconsistentGroupProtocol ? .illegalGeneration : refusal }
        }
        let membership = groups.validateCommit(
            group: request.groupID, generation: request.generationIDOrMemberEpoch, memberID: request.memberID)
        guard membership == .none else { return answer { _, _ in membership } }
        groups.touch(group: request.groupID, memberID: request.memberID)
        var offsets: [(partition: TopicPartition, offset: Int64)] = []
        var refused: [TopicPartition: KafkaErrorCode] = [:]
        for topic in request.topics {
            let readable = mayRead(session, topic: topic.name)
            let count = broker.metadata(of: topic.name)?.partitionCount ?? 0
            for partition in topic.partitions {
                let tp = TopicPartition(topic: topic.name, partition: Int(partition.partitionIndex))
                if !readable {
                    refused[tp] = .topicAuthorizationFailed
                } else if !(0..<count).contains(tp.partition) {
                    refused[tp] = .unknownTopicOrPartition
                } else if partition.committedOffset < 0 {
                    refused[tp] = .invalidCommitOffsetSize
                } else {
                    offsets.append((tp, partition.committedOffset))
                }
            }
        }
        let refusedPartitions = refused
        let errorFor: @Sendable (KafkaErrorCode) -> (String, Int32) -> KafkaErrorCode = { general in
            { topic, partition in refusedPartitions[TopicPartition(topic: topic, partition: Int(partition))] ?? general
            }
        }
        guard !offsets.isEmpty else { return answer(errorFor(.none)) }
        do throws(BrokerError) {
            let shard = try broker.shard(for: .group(request.groupID))
            try shard.groups.commitExternal(group: request.groupID, offsets: offsets) { [self] result in
                let general: KafkaErrorCode
                switch result {
                case .success: general = .none
                case .failure(let error):
                    general = error.isUnavailable ? .coordinatorNotAvailable : KafkaErrorCode(error)
                }
                let topics = request.topics.map { topic in
                    OffsetCommitResponse.Topic(
                        name: topic.name,
                        partitions: topic.partitions.map {
                            .init(
                                partitionIndex: $0.partitionIndex,
                                errorCode: errorFor(general)(topic.name, $0.partitionIndex).rawValue)
                        })
                }
                send(OffsetCommitResponse(topics: topics), version: version, to: responder)
            }
        } catch {
            let code: KafkaErrorCode =
                switch error {
                case .unavailable: .notCoordinator
                case .groupNotEmpty: .illegalGeneration
                default: KafkaErrorCode(error)
                }
            answer(errorFor(code))
        }
    }

    /// OffsetFetch: the committed offsets (-1 where none), whichever door committed them.
    func offsetFetch(
        _ request: OffsetFetchRequest, version: Int16, _ session: KafkaSession, _ responder: KafkaResponder
    ) {
        let committed: [TopicPartition: Int64]
        do throws(BrokerError) {
            try ResourceName.validate(request.groupID, kind: "group")
            committed = try broker.shard(for: .group(request.groupID)).groups.committed(group: request.groupID)
        } catch {
            let code: KafkaErrorCode = if case .unavailable = error { .notCoordinator } else { .invalidGroupID }
            let topics = (request.topics ?? []).map { topic in
                OffsetFetchResponse.Topic(
                    name: topic.name,
                    partitions: topic.partitionIndexes.map {
                        .init(partitionIndex: $0, committedOffset: -1, metadata: "", errorCode: code.rawValue)
                    })
            }
            return send(OffsetFetchResponse(topics: topics, errorCode: code.rawValue), version: version, to: responder)
        }
        var topics: [OffsetFetchResponse.Topic]
        if let wanted = request.topics {
            topics = wanted.map { topic in
                OffsetFetchResponse.Topic(
                    name: topic.name,
                    partitions: topic.partitionIndexes.map { index in
                        let offset = committed[TopicPartition(topic: topic.name, partition: Int(index))] ?? -1
                        return .init(partitionIndex: index, committedOffset: offset, metadata: "")
                    })
            }
        } else {
            // v2+: null topics = every committed partition.
            let byTopic = Dictionary(grouping: committed.keys, by: \.topic)
            topics = byTopic.keys.sorted().map { name in
                OffsetFetchResponse.Topic(
                    name: name,
                    partitions: (byTopic[name] ?? []).sorted { $0.partition < $1.partition }.map { tp in
                        .init(partitionIndex: Int32(tp.partition), committedOffset: committed[tp] ?? -1, metadata: "")
                    })
            }
        }
        topics = topics.filter { mayRead(session, topic: $0.name) }
        send(OffsetFetchResponse(topics: topics), version: version, to: responder)
    }
}
