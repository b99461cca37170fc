import FerryBroker
import FerryKafkaWire
import Synchronization

extension KafkaProtocolHandler {
    /// ListOffsets: -2 = earliest (start offset), -1 = latest (end offset), else the first offset whose timestamp
    /// is at or after the given one, with that message's timestamp (offset -1 when there is none).
    func listOffsets(
        _ request: ListOffsetsRequest, version: Int16, _ session: KafkaSession, _ responder: KafkaResponder
    ) {
        let slots = request.topics.flatMap { topic in topic.partitions.map { (topic.name, $0) } }
        let results = Mutex<[ListOffsetsResponse.Partition?]>(Array(repeating: nil, count: slots.count))
        let pending = Mutex(slots.count + 1)
        let finish: @Sendable () -> Void = { [self] in
            let answered = results.withLock { $0 }
            var topics: [ListOffsetsResponse.Topic] = []
            for ((name, partition), result) in zip(slots, answered) {
                let entry =
                    result
                    ?? ListOffsetsResponse.Partition(
                        partitionIndex: partition.partitionIndex, errorCode: KafkaErrorCode.unknown.rawValue)
                if let last = topics.indices.last, topics[last].name == name {
                    topics[last].partitions.append(entry)
                } else {
                    topics.append(.init(name: name, partitions: [entry]))
                }
            }
            send(ListOffsetsResponse(topics: topics), version: version, to: responder)
        }
        let done: @Sendable (Int, ListOffsetsResponse.Partition) -> Void = { index, result in
            results.withLock { $0[index] = result }
            if pending.withLock({ count in
                count -= 1
                return count == 0
            }) {
                finish()
            }
        }
        for (index, (topic, partition)) in slots.enumerated() {
            offset(topic: topic, partition: partition, session: session) { done(index, $0) }
        }
        if pending.withLock({ count in
            count -= 1
            return count == 0
        }) {
            finish()
        }
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
