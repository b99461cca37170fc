import FerryBroker
import FerryKafkaWire

extension KafkaProtocolHandler {
    /// ListOffsets: -2 = earliest (start offset), -1 = latest (end offset), else the first offset whose timestamp
    /// is at or after the given one, with that message's timestamp (offset -1 when there is none).
    func listOffsets(
        _ request: ListOffsetsRequest, version: Int16, _ session: KafkaSession, _ responder: KafkaResponder
    ) {
        let slots = request.topics.flatMap { topic in topic.partitions.map { (topic: topic.name, partition: $0) } }
        let answers = PartitionAnswers<ListOffsetsResponse.Partition>(count: slots.count) { [self] answered in
            let entries = zip(slots, answered).map { slot, result in
                (
                    topic: slot.topic,
                    value: result
                        ?? ListOffsetsResponse.Partition(
                            partitionIndex: slot.partition.partitionIndex, errorCode: KafkaErrorCode.unknown.rawValue)
                )
            }
            let topics = groupedByTopic(entries).map {
                ListOffsetsResponse.Topic(name: $0.topic, partitions: $0.values)
            }
            send(ListOffsetsResponse(topics: topics), version: version, to: responder)
        }
        for (index, slot) in slots.enumerated() {
            offset(topic: slot.topic, partition: slot.partition, session: session) { answers.set(index, $0) }
        }
        answers.armed()
    }

    private func offset(
        topic: String, partition request: ListOffsetsRequest.Partition, session: KafkaSession,
        done: @escaping @Sendable (ListOffsetsResponse.Partition) -> Void
    ) {
        let index = request.partitionIndex
        @Sendable func failed(_ error: KafkaErrorCode) -> ListOffsetsResponse.Partition {
            ListOffsetsResponse.Partition(partitionIndex: index, errorCode: error.rawValue)
        }
        guard mayRead(session, topic: topic) else { return done(failed(.topicAuthorizationFailed)) }
        guard
            let storage = (try? broker.partition(topic: topic, partition: Int(index)))
                ?? internalPartition(topic, Int(index))
        else { return done(failed(.unknownTopicOrPartition)) }
        let bounds = storage.bounds
        switch request.timestamp {
        case -1:
            return done(.init(partitionIndex: index, timestamp: -1, offset: bounds.endOffset, leaderEpoch: 0))
        case -2:
            return done(.init(partitionIndex: index, timestamp: -1, offset: bounds.startOffset, leaderEpoch: 0))
        case let timestamp where timestamp < 0:
            // -3 (max timestamp) and later specials: not kept here.
            return done(failed(.invalidRequest))
        default:
            storage.offset(atOrAfterTimestamp: request.timestamp) { result in
                switch result {
                case .failure(let error):
                    done(failed(KafkaErrorCode(error)))
                case .success(let offset) where offset >= storage.endOffset:
                    done(.init(partitionIndex: index, timestamp: -1, offset: -1))
                case .success(let offset):
                    // The found message's own timestamp (v1+ answers carry it).
                    storage.read(from: offset, maxMessages: 1, maxBytes: 1) { read in
                        var timestamp: Int64 = -1
                        if case .success(let batch) = read { batch.forEach { timestamp = $0.timestamp } }
                        done(.init(partitionIndex: index, timestamp: timestamp, offset: offset, leaderEpoch: 0))
                    }
                }
            }
        }
    }
}
