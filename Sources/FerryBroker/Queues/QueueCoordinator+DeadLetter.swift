import Synchronization

/// Moving messages to a queue's dead-letter topic.
extension QueueCoordinator {
    /// Header names added to every dead letter.
    public enum DeadLetterHeader {
        public static let originTopic = DeadLetterRecord.originTopic
        public static let originPartition = DeadLetterRecord.originPartition
        public static let originOffset = DeadLetterRecord.originOffset
        public static let deliveryCount = "ferry-delivery-count"
    }

    /// Copies `items` (in state `deadLettering`) to the queue's dead-letter topic with their key, value and
    /// headers plus the origin and delivery-count headers, produced through the broker (the topic is created on
    /// demand). Once durable, the messages are done, counted and journaled as dead-lettered; on failure they
    /// are available again. Messages retention already deleted are simply done. `completion` runs after the
    /// journal entry is durable, or with the error.
    func deadLetter(
        _ box: QueueBox, _ items: [DeadLetterItem], completion: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) {
        let (topic, target) = box.state.withLock { ($0.topic, $0.deadLetterTopic) }
        let partitions = access.partitions(of: topic) ?? []
        let readable = items.filter { $0.partition < partitions.count }
        let requests = readable.map {
            PartitionReadRequest(storage: partitions[$0.partition], offset: $0.offset, maxMessages: 1)
        }
        readAll(requests) { [self] results in
            var batch = ProduceBatch()
            var copied: [DeadLetterItem] = []
            var gone = items.filter { $0.partition >= partitions.count }
            for (item, result) in zip(readable, results) {
                var found = false
                if case .success(let read) = result {
                    read.forEach { message in
                        guard message.offset == item.offset else { return }
                        Self.append(message, item: item, topic: topic, to: &batch)
                        found = true
                    }
                }
                if found { copied.append(item) } else { gone.append(item) }
            }
            copyDeadLetters(box, batch: batch, copied: copied, gone: gone, to: target, completion: completion)
        }
    }

    /// Produces the copies to the dead-letter topic, then finishes the items (see ``deadLetter(_:_:completion:)``).
    private func copyDeadLetters(
        _ box: QueueBox, batch: ProduceBatch, copied: [DeadLetterItem], gone: [DeadLetterItem], to target: String,
        completion: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) {
        let (topic, name) = box.state.withLock { ($0.topic, $0.name) }
        guard !copied.isEmpty else {
            finishDeadLetters(box, done: gone, failed: [], topic: topic, name: name, completion: completion)
            return
        }
        access.deadLetter(topic: target, batch: batch) { [self, copied, gone] result in
            switch result {
            case .success:
                finishDeadLetters(
                    box, done: copied + gone, failed: [], topic: topic, name: name, completion: completion)
            case .failure(let error):
                finishDeadLetters(box, done: gone, failed: copied, topic: topic, name: name) { _ in
                    completion(.failure(error))
                }
            }
        }
    }

    /// Marks dead letters done (journaled) or, when their produce failed, available again.
    private func finishDeadLetters(
        _ box: QueueBox, done: [DeadLetterItem], failed: [DeadLetterItem], topic: String, name: String,
        completion: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) {
        let (journaled, wake) = box.state.withLock { state -> (Bool, [@Sendable () -> Void]) in
            guard !state.deleted else { return (false, []) }
            var byPartition: [Int: [Int64]] = [:]
            for item in done where item.partition < state.windows.count {
                guard state.windows[item.partition].slot(at: item.offset)?.state == .deadLettering else { continue }
                state.windows[item.partition].finishDeadLetter(item.offset, succeeded: true)
                state.deadLettered += 1
                byPartition[item.partition, default: []].append(item.offset)
            }
            for item in failed where item.partition < state.windows.count {
                state.windows[item.partition].finishDeadLetter(item.offset, succeeded: false)
            }
            let entries = byPartition.sorted { $0.key < $1.key }.map { p, offsets in
                QueueJournalEntry.deadLettered(topic: topic, queue: name, partition: p, offsets: offsets.sorted())
            }
            guard !entries.isEmpty else { return (false, failed.isEmpty ? [] : state.takeWaiters()) }
            journal.append(entries) { durable in completion(durable) }
            return (true, failed.isEmpty ? [] : state.takeWaiters())
        }
        wake.forEach { $0() }
        if !journaled { completion(.success(())) }
    }

    /// Adds `message` to `batch` as a dead letter: same key, value (and its format) and headers, plus the
    /// origin and delivery-count headers (built by ``DeadLetterRecord``).
    static func append(
        _ message: borrowing StoredMessage, item: DeadLetterItem, topic: String, to batch: inout ProduceBatch
    ) {
        DeadLetterRecord.append(
            message, topic: topic, partition: item.partition,
            extra: [(DeadLetterHeader.deliveryCount, String(item.deliveries))], to: &batch)
    }
}
