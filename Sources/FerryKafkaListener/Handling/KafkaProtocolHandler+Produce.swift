import FerryBroker
import FerryKafkaWire
import Synchronization

extension KafkaProtocolHandler {
    /// The most bytes a compressed batch may inflate to.
    static let maxDecompressedBytes = 128 * 1024 * 1024

    /// Produce: every partition's record batches are appended as one atomic batch; the answer (none for
    /// acks=0) goes out once every partition's append is durable per the flush policy.
    func produce(_ request: ProduceRequest, version: Int16, _ session: KafkaSession, _ responder: KafkaResponder) {
        let slots = request.topics.flatMap { topic in topic.partitions.map { (topic.name, $0) } }
        let answers = ProduceAnswers(slots: slots.map { ($0.0, $0.1.index) })
        let acks = request.acks
        let finish: @Sendable (ProduceAnswers) -> Void = { [self] answers in
            guard acks != 0 else { return }
            send(answers.response(), version: version, to: responder)
        }
        if acks == 0 { responder.noResponse() }
        guard acks == 0 || acks == 1 || acks == -1 else {
            for i in slots.indices { answers.set(i, .invalidRequiredAcks) }
            return finish(answers)
        }
        guard request.transactionalID == nil else {
            for i in slots.indices { answers.set(i, .transactionalIDAuthorizationFailed) }
            return finish(answers)
        }
        answers.onComplete = finish
        for (index, (topic, partition)) in slots.enumerated() {
            appendPartition(topic: topic, partition: partition, session: session) { answers.set(index, $0, $1) }
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

/// Collects the per-partition answers of one Produce request; fires `onComplete` once all are in and the
/// request finished dispatching (``armed()``).
final class ProduceAnswers: Sendable {
    private struct State {
        var errors: [KafkaErrorCode]
        var offsets: [Int64]
        var pending: Int
        var onComplete: (@Sendable (ProduceAnswers) -> Void)?
    }
    private let slots: [(topic: String, partition: Int32)]
    private let state: Mutex<State>

    init(slots: [(String, Int32)]) {
        self.slots = slots.map { (topic: $0.0, partition: $0.1) }
        // One extra pending count, released by armed(): answers that come in synchronously cannot finish early.
        state = Mutex(
            State(
                errors: Array(repeating: .none, count: slots.count), offsets: Array(repeating: -1, count: slots.count),
                pending: slots.count + 1))
    }

    var onComplete: (@Sendable (ProduceAnswers) -> Void)? {
        get { state.withLock { $0.onComplete } }
        set { state.withLock { $0.onComplete = newValue } }
    }

    /// Sets an answer without counting it (the request failed as a whole before dispatching).
    func set(_ index: Int, _ error: KafkaErrorCode) { state.withLock { $0.errors[index] = error } }

    func set(_ index: Int, _ error: KafkaErrorCode, _ offset: Int64) {
        let complete = state.withLock { state -> (@Sendable (ProduceAnswers) -> Void)? in
            state.errors[index] = error
            state.offsets[index] = offset
            state.pending -= 1
            return state.pending == 0 ? state.onComplete : nil
        }
        complete?(self)
    }

    func armed() {
        let complete = state.withLock { state -> (@Sendable (ProduceAnswers) -> Void)? in
            state.pending -= 1
            return state.pending == 0 ? state.onComplete : nil
        }
        complete?(self)
    }

    func response() -> ProduceResponse {
        let (errors, offsets) = state.withLock { ($0.errors, $0.offsets) }
        var topics: [ProduceResponse.Topic] = []
        for (index, slot) in slots.enumerated() {
            let partition = ProduceResponse.Partition(
                index: slot.partition, errorCode: errors[index].rawValue, baseOffset: offsets[index])
            if let last = topics.indices.last, topics[last].name == slot.topic {
                topics[last].partitionResponses.append(partition)
            } else {
                topics.append(.init(name: slot.topic, partitionResponses: [partition]))
            }
        }
        return ProduceResponse(responses: topics)
    }
}
