import FerryBroker
import FerryKafka
import FerrySystem
import Synchronization

/// ``PartitionStorage`` over one partition of a Kafka topic.
///
/// Bounds come from a cache: Ferry's own produces raise the end offset when Kafka acknowledges them, and the
/// engine's refresher asks the leader for watermarks (every ``KafkaStorageOptions/waitPollInterval`` while a
/// long-poll waits on the partition, every ``KafkaStorageOptions/metadataRefreshInterval`` otherwise). Appends
/// go to the shared idempotent producer; reads and timestamp lookups run on the read pool. Nothing here blocks
/// the caller. Thread-safe.
final class KafkaPartition: PartitionStorage {
    struct State {
        var startOffset: Int64 = 0
        var endOffset: Int64 = 0
        /// Whether the bounds came from the cluster (or a produce) at least once.
        var known = false
        var waiters: [UInt64: (offset: Int64, callback: @Sendable () -> Void)] = [:]
        var nextWaiter: UInt64 = 0
        var traffic = PartitionTrafficTotals()
    }

    let topicPartition: KafkaTopicPartition
    let topic: String
    let index: Int
    let clients: KafkaClients
    let state = Mutex(State())

    init(topic: String, index: Int, clients: KafkaClients) {
        self.topic = topic
        self.index = index
        self.topicPartition = KafkaTopicPartition(topic: topic, partition: Int32(clamping: index))
        self.clients = clients
    }

    var startOffset: Int64 { state.withLock { $0.startOffset } }
    var endOffset: Int64 { state.withLock { $0.endOffset } }
    var sizeInBytes: Int64? { nil }
    var segmentCount: Int? { nil }
    var bounds: PartitionBounds {
        state.withLock { PartitionBounds(startOffset: $0.startOffset, endOffset: $0.endOffset, sizeInBytes: nil) }
    }
    var traffic: PartitionTrafficTotals { state.withLock { $0.traffic } }
    var hasWaiters: Bool { state.withLock { !$0.waiters.isEmpty } }

    // MARK: Bounds

    /// Takes watermarks the cluster reported (`start` nil: keep the cached one) and wakes the waiters they
    /// satisfy. `raiseOnly` keeps a newer end offset already cached (a produce acknowledged after the query).
    func note(start: Int64?, end: Int64, raiseOnly: Bool) {
        let woken = state.withLock { state -> [@Sendable () -> Void] in
            if let start { state.startOffset = start }
            state.endOffset = raiseOnly ? max(state.endOffset, end) : end
            state.startOffset = min(state.startOffset, state.endOffset)
            state.known = true
            let due = state.waiters.filter { $0.value.offset < state.endOffset }
            for key in due.keys { state.waiters[key] = nil }
            return due.map(\.value.callback)
        }
        for callback in woken { callback() }
    }

    /// Asks the leader for the watermarks and caches them. Blocks up to the metadata timeout.
    @discardableResult
    func refreshBounds() throws(BrokerError) -> PartitionBounds {
        do {
            let marks = try clients.watermarkReader.watermarks(of: topicPartition, timeout: clients.metadataTimeout)
            note(start: marks.logStartOffset, end: marks.highWatermark, raiseOnly: false)
        } catch {
            throw KafkaErrorMapping.brokerError(error, topic: topic, partition: index)
        }
        return bounds
    }

    // MARK: Append

    /// Hands the records to the idempotent producer; `completion` runs on the producer's poll thread once Kafka
    /// acknowledged every record (`acks=all`) or one failed. Not atomic on failure: records acknowledged before
    /// the failure stay written (the idempotent producer keeps order and never duplicates within a request).
    func append(
        _ batch: ProduceBatch, indices: [Int], timestamps: [Int64],
        completion: @escaping @Sendable (Result<AppendedOffsets, BrokerError>) -> Void
    ) {
        var records: [KafkaProducerRecord] = []
        records.reserveCapacity(indices.count)
        var payloadBytes = 0
        for (position, index) in indices.enumerated() {
            let record = batch.records[index]
            var headers = batch.headers[record.headers].map { header in
                KafkaHeader(
                    name: String(decoding: batch.bytes[header.name], as: UTF8.self),
                    value: Array(batch.bytes[header.value]))
            }
            if record.valueFormat == .json && record.value != nil {
                headers.append(KafkaHeader(name: ValueFormatHeader.name, value: ValueFormatHeader.json))
            }
            payloadBytes += (record.key?.count ?? 0) + (record.value?.count ?? 0)
            records.append(
                KafkaProducerRecord(
                    topic: topic, partition: topicPartition.partition, key: record.key.map { Array(batch.bytes[$0]) },
                    value: record.value.map { Array(batch.bytes[$0]) }, headers: headers,
                    timestampMilliseconds: timestamps[position]))
        }
        let started = MonotonicClock.nanoseconds()
        clients.producer.produceBatch(records) { [self, payloadBytes] results in
            var offsets: [Int64] = []
            offsets.reserveCapacity(results.count)
            var failure: KafkaError?
            for result in results {
                switch result {
                case .success(let report): offsets.append(report.offset)
                case .failure(let error): failure = failure ?? error
                }
            }
            let elapsed = Int64((MonotonicClock.nanoseconds() &- started) / 1_000)
            clients.counters.withLock { counters in
                counters.produceBatches += 1
                counters.deliveryMicroseconds += elapsed
                counters.producedRecords += offsets.count
                counters.produceErrors += results.count - offsets.count
            }
            if let failure {
                // A transport error (librdkafka's own: no connection, or no answer for the whole delivery
                // timeout): the cluster is not serving, and readiness follows now, not at the next refresh round.
                // A broker's refusal (NOT_LEADER…) means it answered; a full local queue is back-pressure.
                if failure.isTransport { clients.reachability.noteUnreachable() }
                return completion(.failure(KafkaErrorMapping.brokerError(failure, topic: topic, partition: index)))
            }
            if let last = offsets.max() { note(start: nil, end: last + 1, raiseOnly: true) }
            state.withLock {
                $0.traffic.appendedMessages += offsets.count
                $0.traffic.appendedBytes += payloadBytes
            }
            completion(.success(Self.appendedOffsets(offsets)))
        }
    }

    /// One dense run when the offsets are consecutive (the usual case), else the list.
    static func appendedOffsets(_ offsets: [Int64]) -> AppendedOffsets {
        guard let first = offsets.first else { return .run(base: 0, count: 0) }
        for (position, offset) in offsets.enumerated() where offset != first + Int64(position) {
            return AppendedOffsets(offsets)
        }
        return .run(base: first, count: offsets.count)
    }

    // MARK: Read

    func read(
        from offset: Int64, maxMessages: Int, maxBytes: Int,
        completion: @escaping @Sendable (Result<any StoredBatch, BrokerError>) -> Void
    ) {
        let job = KafkaReadPool.Job(topicPartition: topicPartition, offset: offset) { [self] reader in
            let result = readBlocking(reader, from: offset, maxMessages: maxMessages, maxBytes: maxBytes)
            clients.counters.withLock { counters in
                counters.reads += 1
                if case .failure(let error) = result, !error.isOutOfRange { counters.readErrors += 1 }
            }
            completion(result)
        }
        clients.pool.submit(job) { completion(.failure(.unavailable("the storage engine is shut down"))) }
    }

    /// On a pool thread: checks the offset against the bounds (asking the leader when the cache cannot tell),
    /// then fetches. Blocks up to the request timeout.
    private func readBlocking(
        _ reader: KafkaPartitionReader, from offset: Int64, maxMessages: Int, maxBytes: Int
    ) -> Result<any StoredBatch, BrokerError> {
        do throws(BrokerError) {
            var bounds = self.bounds
            let known = state.withLock { $0.known }
            if !known || offset < bounds.startOffset || offset >= bounds.endOffset {
                bounds = try refreshBounds()
            }
            guard offset >= bounds.startOffset && offset <= bounds.endOffset else {
                throw .offsetOutOfRange(
                    requested: offset, startOffset: bounds.startOffset, endOffset: bounds.endOffset)
            }
            guard offset < bounds.endOffset else {
                return .success(KafkaStoredBatch(records: [], from: offset, maxBytes: maxBytes, bounds: bounds))
            }
            let records: [KafkaRecord]
            do {
                records = try reader.fetch(
                    topicPartition, from: offset, maxRecords: max(1, maxMessages),
                    timeout: clients.options.requestTimeout)
            } catch {
                if error.code == KafkaError.offsetOutOfRangeCode {
                    let now = try refreshBounds()
                    throw .offsetOutOfRange(requested: offset, startOffset: now.startOffset, endOffset: now.endOffset)
                }
                throw KafkaErrorMapping.brokerError(error, topic: topic, partition: index)
            }
            if let marks = reader.cachedWatermarks(of: topicPartition) {
                note(start: marks.logStartOffset, end: marks.highWatermark, raiseOnly: true)
            }
            let batch = KafkaStoredBatch(records: records, from: offset, maxBytes: maxBytes, bounds: self.bounds)
            // At the end: stop fetching (a tailing reader would keep a fetch parked at the leader).
            if batch.position.nextOffset >= batch.position.endOffset { reader.unassign() }
            var readBytes = 0
            batch.forEach { message in readBytes += (message.key?.count ?? 0) + (message.value?.count ?? 0) }
            state.withLock {
                $0.traffic.readMessages += batch.count
                $0.traffic.readBytes += readBytes
            }
            return .success(batch)
        } catch {
            return .failure(error)
        }
    }

    func offset(
        atOrAfterTimestamp timestamp: Int64, completion: @escaping @Sendable (Result<Int64, BrokerError>) -> Void
    ) {
        let job = KafkaReadPool.Job(topicPartition: topicPartition, offset: -1) { [self] reader in
            do throws(BrokerError) {
                let found: Int64??
                do throws(KafkaError) {
                    found = try reader.offsets(
                        forTimestamps: [topicPartition: timestamp], timeout: clients.metadataTimeout)[
                            topicPartition]
                } catch {
                    throw KafkaErrorMapping.brokerError(error, topic: topic, partition: index)
                }
                if let offset = found ?? nil { return completion(.success(offset)) }
                completion(.success(try refreshBounds().endOffset))
            } catch {
                completion(.failure(error))
            }
        }
        clients.pool.submit(job) { completion(.failure(.unavailable("the storage engine is shut down"))) }
    }

    // MARK: Waiting

    func waitForAppend(after offset: Int64, _ callback: @escaping @Sendable () -> Void) -> AppendWaitToken {
        let id = state.withLock { state -> UInt64? in
            guard state.endOffset <= offset else { return nil }
            state.nextWaiter += 1
            state.waiters[state.nextWaiter] = (offset, callback)
            return state.nextWaiter
        }
        guard let id else {
            callback()
            return AppendWaitToken(UInt64(0))
        }
        return AppendWaitToken(id)
    }

    func cancelWait(_ token: AppendWaitToken) {
        guard let id = token.value as? UInt64 else { return }
        _ = state.withLock { $0.waiters.removeValue(forKey: id) }
    }

    // MARK: Journal compaction

    func startNewSegment() throws(BrokerError) -> Int64 {
        try refreshBounds().endOffset
    }

    /// Waits until everything produced so far is acknowledged, then deletes the records before `offset`
    /// (DeleteRecords). Blocks up to twice the request timeout.
    func dropHistory(before offset: Int64) throws(BrokerError) {
        do {
            try clients.producer.flush(timeout: clients.options.requestTimeout)
            try clients.admin.deleteRecords(before: [topicPartition: offset], timeout: clients.options.requestTimeout)
        } catch {
            throw KafkaErrorMapping.brokerError(error, topic: topic, partition: index)
        }
        try refreshBounds()
    }
}

extension BrokerError {
    var isOutOfRange: Bool {
        if case .offsetOutOfRange = self { true } else { false }
    }
}
