import FerryBroker
import FerryKafkaWire
import FerrySystem
import Synchronization

/// One Fetch request in progress: reads every asked partition, and while fewer than `minBytes` came back and
/// the wait has time left, sleeps on append waiters of those partitions and reads again (Kafka's long poll).
///
/// Reads chain through storage callbacks (inline on the embedded engine); waits cost no thread. The answer is
/// sent exactly once. Thread-safe.
final class KafkaFetch: Sendable {
    struct Slot: Sendable {
        var topic: String
        var partition: Int32
        var offset: Int64
        var maxBytes: Int
        /// Known before reading: not readable here (unknown partition, not allowed).
        var error: KafkaErrorCode
        var storage: (any PartitionStorage)?
    }

    private let slots: [Slot]
    private let minBytes: Int
    private let maxBytes: Int
    private let deadline: UInt64
    private let version: Int16
    private let responder: KafkaResponder
    private let handler: KafkaProtocolHandler

    init(
        slots: [Slot], minBytes: Int, maxBytes: Int, maxWaitMs: Int, version: Int16, responder: KafkaResponder,
        handler: KafkaProtocolHandler
    ) {
        self.slots = slots
        self.minBytes = minBytes
        self.maxBytes = maxBytes
        self.deadline = MonotonicClock.nanoseconds() + UInt64(max(0, maxWaitMs)) * 1_000_000
        self.version = version
        self.responder = responder
        self.handler = handler
    }

    /// Reads now, then waits if the answer is too small.
    func start() { read(index: 0, results: [], bytes: 0) }

    private func read(index: Int, results: [FetchResponse.Partition], bytes: Int) {
        guard index < slots.count else { return finished(results, bytes: bytes) }
        let slot = slots[index]
        guard slot.error == .none, let storage = slot.storage else {
            let failed = FetchResponse.Partition(
                partitionIndex: slot.partition, errorCode: slot.error.rawValue, highWatermark: -1, records: nil)
            return read(index: index + 1, results: results + [failed], bytes: bytes)
        }
        let bounds = storage.bounds
        @Sendable func answer(_ error: KafkaErrorCode, _ records: [UInt8]?) -> FetchResponse.Partition {
            FetchResponse.Partition(
                partitionIndex: slot.partition, errorCode: error.rawValue, highWatermark: bounds.endOffset,
                lastStableOffset: bounds.endOffset, logStartOffset: bounds.startOffset, records: records)
        }
        guard slot.offset >= bounds.startOffset, slot.offset <= bounds.endOffset else {
            return read(index: index + 1, results: results + [answer(.offsetOutOfRange, nil)], bytes: bytes)
        }
        let budget = min(slot.maxBytes, maxBytes - bytes)
        guard slot.offset < bounds.endOffset, budget > 0 || bytes == 0 else {
            return read(index: index + 1, results: results + [answer(.none, [])], bytes: bytes)
        }
        storage.read(from: slot.offset, maxMessages: 100_000, maxBytes: max(1, budget)) { [self] result in
            switch result {
            case .success(let stored):
                var encoder = KafkaRecordBatchEncoder(capacity: min(budget + budget / 4, 64 << 20) + 1024)
                RecordConversion.append(stored, to: &encoder)
                let records = encoder.finish()
                read(index: index + 1, results: results + [answer(.none, records)], bytes: bytes + records.count)
            case .failure(let error):
                let code: KafkaErrorCode =
                    if case .offsetOutOfRange = error { .offsetOutOfRange } else { .unknownTopicOrPartition }
                read(index: index + 1, results: results + [answer(code, nil)], bytes: bytes)
            }
        }
    }

    private func finished(_ results: [FetchResponse.Partition], bytes: Int) {
        let now = MonotonicClock.nanoseconds()
        if bytes >= max(1, minBytes) || now >= deadline || bytes > 0 && minBytes <= 1 {
            return respond(results)
        }
        // Too little: wait for an append on any partition read, or the deadline, then read again.
        let wakeup = Wakeup { [self] _ in start() }
        for (slot, result) in zip(slots, results) where result.errorCode == 0 {
            guard let storage = slot.storage else { continue }
            // Wakes once the partition grows past what this read saw (not at once: that would spin).
            let token = storage.waitForAppend(after: max(slot.offset, result.highWatermark)) {
                wakeup.fire(.data)
            }
            wakeup.onFire { storage.cancelWait(token) }
        }
        wakeup.fire(after: Int((deadline - now + 999_999) / 1_000_000))
    }

    private func respond(_ results: [FetchResponse.Partition]) {
        let topics = groupedByTopic(zip(slots, results).map { (topic: $0.topic, value: $1) }).map {
            FetchResponse.Topic(topic: $0.topic, partitions: $0.values)
        }
        // Record sets go out as their own chunks (no copy into the frame); the size prefix counts them all.
        var chunks: [[UInt8]] = []
        var writer = KafkaWriter(capacity: 256)
        writer.int32(0)
        writer.int32(responder.correlationID)
        var total = 0
        FetchResponse(responses: topics).encode(&writer, version: version) { writer, records in
            guard let records, records.count >= OutputQueue.largeChunkBytes else {
                return writer.nullableBytes(records)
            }
            writer.int32(Int32(records.count))
            total += writer.count
            chunks.append(writer.bytes)
            writer.bytes.removeAll(keepingCapacity: false)
            total += records.count
            chunks.append(records)
        }
        total += writer.count
        chunks.append(writer.bytes)
        var first = KafkaWriter(capacity: 4)
        first.int32(Int32(total - 4))
        for index in 0..<4 { chunks[0][index] = first.bytes[index] }
        responder.respond(chunks: chunks)
    }
}

extension KafkaProtocolHandler {
    /// Fetch: records from each asked partition as record batches v2, long-polling up to `maxWaitMs` until
    /// `minBytes` are there.
    func fetch(_ request: FetchRequest, version: Int16, _ session: KafkaSession, _ responder: KafkaResponder) {
        var slots: [KafkaFetch.Slot] = []
        for topic in request.topics {
            let readable = mayRead(session, topic: topic.topic)
            for partition in topic.partitions {
                var slot = KafkaFetch.Slot(
                    topic: topic.topic, partition: partition.partition, offset: partition.fetchOffset,
                    maxBytes: Int(max(0, partition.partitionMaxBytes)), error: .none, storage: nil)
                if !readable {
                    slot.error = .topicAuthorizationFailed
                } else if let storage = try? broker.partition(topic: topic.topic, partition: Int(partition.partition)) {
                    slot.storage = storage
                } else if let storage = internalPartition(topic.topic, Int(partition.partition)) {
                    slot.storage = storage
                } else {
                    slot.error = .unknownTopicOrPartition
                }
                slots.append(slot)
            }
        }
        let maxBytes = request.maxBytes > 0 ? Int(request.maxBytes) : Int(Int32.max)
        KafkaFetch(
            slots: slots, minBytes: Int(request.minBytes), maxBytes: maxBytes, maxWaitMs: Int(request.maxWaitMs),
            version: version, responder: responder, handler: self
        ).start()
    }

    /// A partition of an internal `__ferry_*` topic: readable (tools inspect them), never writable.
    func internalPartition(_ topic: String, _ partition: Int) -> (any PartitionStorage)? {
        guard ResourceName.isInternalTopic(topic) else { return nil }
        return broker.storage.partition(topic: topic, partition: partition)
    }
}
