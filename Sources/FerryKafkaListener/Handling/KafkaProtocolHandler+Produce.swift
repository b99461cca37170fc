import FerryBroker
import FerryKafkaWire

extension KafkaProtocolHandler {
    /// The most bytes a compressed batch may inflate to.
    static let maxDecompressedBytes = 128 * 1024 * 1024

    /// Produce: every partition's record batches are appended as one atomic batch; the answer (none for
    /// acks=0) goes out once every partition's append is durable per the flush policy.
    func produce(_ request: ProduceRequest, version: Int16, _ session: KafkaSession, _ responder: KafkaResponder) {
        let slots = request.topics.flatMap { topic in topic.partitions.map { (topic: topic.name, partition: $0) } }
        let acks = request.acks
        // The answer: each partition's error and base offset (-1 when it failed), in request order.
        let finish: @Sendable ([(KafkaErrorCode, Int64)?]) -> Void = { [self] answers in
            guard acks != 0 else { return }
            let partitions = zip(slots, answers).map { slot, answer in
                let (error, offset) = answer ?? (.unknown, -1)
                return (
                    topic: slot.topic,
                    value: ProduceResponse.Partition(
                        index: slot.partition.index, errorCode: error.rawValue, baseOffset: offset)
                )
            }
            let topics = groupedByTopic(partitions).map {
                ProduceResponse.Topic(name: $0.topic, partitionResponses: $0.values)
            }
            send(ProduceResponse(responses: topics), version: version, to: responder)
        }
        if acks == 0 { responder.noResponse() }
        guard acks == 0 || acks == 1 || acks == -1 else {
            return finish(Array(repeating: (.invalidRequiredAcks, -1), count: slots.count))
        }
        guard request.transactionalID == nil else {
            return finish(Array(repeating: (.transactionalIDAuthorizationFailed, -1), count: slots.count))
        }
        let answers = PartitionAnswers<(KafkaErrorCode, Int64)>(count: slots.count, onComplete: finish)
        for (index, slot) in slots.enumerated() {
            appendPartition(topic: slot.topic, partition: slot.partition, session: session) {
                answers.set(index, ($0, $1))
            }
        }
        answers.armed()
    }

    /// Validates, decodes and appends one partition's record set; `done` gets the error or the base offset.
    private func appendPartition(
        topic: String, partition: ProduceRequest.Partition, session: KafkaSession,
        done: @escaping @Sendable (KafkaErrorCode, Int64) -> Void
    ) {
        if ResourceName.isInternalTopic(topic) || !mayWrite(session, topic: topic) {
            return done(.topicAuthorizationFailed, -1)
        }
        let batches: [KafkaDecodedBatch]
        do {
            batches = try KafkaRecordBatchDecoder.decode(
                partition.records ?? [], maxDecompressedBytes: Self.maxDecompressedBytes)
        } catch {
            switch error {
            case .unsupportedMagic: return done(.unsupportedForMessageFormat, -1)
            case .unsupportedCompression: return done(.unsupportedCompressionType, -1)
            case .checksumMismatch, .malformed: return done(.corruptMessage, -1)
            }
        }
        let batch = RecordConversion.produceBatch(from: batches)
        guard !batch.records.isEmpty else { return done(.invalidRecord, -1) }
        // An idempotent producer's retry of a batch already appended gets the first answer again.
        let first = batches[0]
        let key = ProducerSequences.Key(producerID: first.producerID, topic: topic, partition: partition.index)
        let idempotent = first.producerID >= 0 && first.baseSequence >= 0
        if idempotent,
            let offset = producers.duplicate(key, baseSequence: first.baseSequence, epoch: first.producerEpoch)
        {
            return done(.none, offset)
        }
        let producers = self.producers
        do {
            try broker.append(topic: topic, partition: Int(partition.index), batch: batch) { result in
                switch result {
                case .success(let offset):
                    if idempotent {
                        producers.record(
                            key, baseSequence: first.baseSequence, epoch: first.producerEpoch, baseOffset: offset)
                    }
                    done(.none, offset)
                case .failure(let error):
                    done(error.isUnavailable ? .notEnoughReplicas : KafkaErrorCode(error), -1)
                }
            }
        } catch {
            done(error.isUnavailable ? .leaderNotAvailable : KafkaErrorCode(error), -1)
        }
    }
}

extension BrokerError {
    var isUnavailable: Bool {
        if case .unavailable = self { return true }
        return false
    }
}
