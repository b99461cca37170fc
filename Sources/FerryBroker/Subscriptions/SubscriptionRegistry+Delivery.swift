import Synchronization

/// The dispatcher's side: what to deliver, and the outcomes it reports.
extension SubscriptionRegistry {
    /// Every subscription, as (topic, name).
    public func keys() -> [(topic: String, name: String)] {
        records.withLock { records in records.keys.map { ($0.topic, $0.name) } }
    }

    /// The subscription's config, positions (one per partition of its topic) and generation; nil when it (or
    /// its topic) does not exist.
    public func snapshot(topic: String, name: String) -> SubscriptionSnapshot? {
        guard let partitions = partitions(of: topic),
            let record = records.withLock({ $0[SubscriptionKey(topic: topic, name: name)] })
        else { return nil }
        return SubscriptionSnapshot(
            config: record.config, positions: Self.positions(record, partitions: partitions),
            generation: record.generation)
    }

    /// How a batch `[from, to)` of one partition ended.
    public struct BatchResult: Sendable {
        public var generation: Int64
        public var partition: Int
        public var from: Int64
        public var to: Int64
        /// Messages delivered (2xx) or skipped by the filter.
        public var delivered: Int64
        /// Messages moved to the dead-letter topic.
        public var deadLettered: Int64
        /// The HTTP status of a successful attempt (nil: none was made, e.g. every message was filtered out,
        /// or the batch was dead-lettered).
        public var status: Int?

        public init(
            generation: Int64, partition: Int, from: Int64, to: Int64, delivered: Int64, deadLettered: Int64,
            status: Int?
        ) {
            self.generation = generation
            self.partition = partition
            self.from = from
            self.to = to
            self.delivered = delivered
            self.deadLettered = deadLettered
            self.status = status
        }
    }

    /// Commits a finished batch: the partition's position moves from `from` to `to` and the counters change;
    /// journaled (not waited for: delivery is at-least-once). Returns false, changing nothing, when the batch
    /// is stale (the subscription was deleted or re-created, or a seek moved the position).
    @discardableResult
    public func commit(topic: String, name: String, _ result: BatchResult) -> Bool {
        let key = SubscriptionKey(topic: topic, name: name)
        let time = now()
        return records.withLock { records -> Bool in
            guard var record = records[key], record.generation == result.generation, result.partition >= 0 else {
                return false
            }
            let current = result.partition < record.positions.count ? record.positions[result.partition] : nil
            guard (current ?? result.from) <= result.from, result.to >= result.from else { return false }
            Self.setPosition(&record, partition: result.partition, offset: result.to)
            record.stats.delivered += result.delivered
            record.stats.deadLettered += result.deadLettered
            if let status = result.status {
                record.stats.lastStatus = status
                record.stats.lastError = nil
                record.stats.lastDeliveryAt = time
            }
            record.failing.remove(result.partition)
            records[key] = record
            journal.append(
                [
                    .committed(
                        topic: topic, name: name, partition: result.partition, offset: result.to, stats: record.stats)
                ]
            ) { _ in }
            return true
        }
    }

    /// Records a failed attempt of partition `partition`'s current batch (state `failing`, counters).
    public func recordFailure(
        topic: String, name: String, generation: Int64, partition: Int, status: Int?, error: String
    ) {
        records.withLock { records in
            let key = SubscriptionKey(topic: topic, name: name)
            guard var record = records[key], record.generation == generation else { return }
            record.stats.failedAttempts += 1
            record.stats.lastStatus = status
            record.stats.lastError = error
            record.failing.insert(partition)
            records[key] = record
        }
    }

    /// A `410 Gone` answer: the subscription is disabled (journaled) until resumed with `paused: false`.
    public func disable(topic: String, name: String, generation: Int64, status: Int) {
        let key = SubscriptionKey(topic: topic, name: name)
        let changed = records.withLock { records -> Bool in
            guard var record = records[key], record.generation == generation else { return false }
            record.config.disabled = true
            record.failing = []
            record.stats.lastStatus = status
            record.stats.lastError = "410 Gone: subscription disabled"
            records[key] = record
            journal.append([.updated(record.config)]) { _ in }
            return true
        }
        if changed { notify(key) }
    }

    /// Copies the messages of `[from, to)` of `partition` that pass the subscription's filter to its dead-letter
    /// topic (created on demand) with key, value and headers plus the `ferry-origin-*` headers and
    /// `ferry-last-error`. `completion` gets the number of messages copied once they are durable, or the
    /// error. Messages retention already deleted are not copied. Never blocks (reads complete asynchronously).
    public func deadLetter(
        topic: String, name: String, partition: Int, from: Int64, to: Int64, lastError: String,
        completion: @escaping @Sendable (Result<Int64, BrokerError>) -> Void
    ) {
        guard let snapshot = snapshot(topic: topic, name: name), let partitions = partitions(of: topic),
            partitions.indices.contains(partition), let broker = broker.withLock({ $0.value })
        else { return completion(.failure(.subscriptionNotFound(topic: topic, name: name))) }
        let batch = Mutex(ProduceBatch())
        let extra = [(name: Self.lastErrorHeader, value: lastError)]
        partitions[partition].readRange(from: from, to: to) { message in
            guard snapshot.config.matches(message) else { return }
            batch.withLock {
                DeadLetterRecord.append(message, topic: topic, partition: partition, extra: extra, to: &$0)
            }
        } completion: { result in
            if case .failure(let error) = result { return completion(.failure(error)) }
            let copies = batch.withLock { $0 }
            let count = Int64(copies.records.count)
            broker.produceDeadLetters(topic: snapshot.config.deadLetterTopic, batch: copies) { result in
                completion(result.map { count })
            }
        }
    }

    /// The header naming the error of the last attempt, on every webhook dead letter.
    public static let lastErrorHeader = "ferry-last-error"
}

extension SubscriptionConfig {
    /// Whether `message` passes `filter` (every filter header present with exactly that value).
    public func matches(_ message: borrowing StoredMessage) -> Bool {
        guard let filter, !filter.isEmpty else { return true }
        for wanted in filter {
            var found = false
            for header in message.headers where header.name.elementsEqual(wanted.name.utf8) {
                if header.value.elementsEqual(wanted.value.utf8) {
                    found = true
                    break
                }
            }
            guard found else { return false }
        }
        return true
    }
}
