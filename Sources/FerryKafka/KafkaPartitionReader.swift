import CRdkafka
import FerrySystem

/// Reads records from one topic-partition at a time with a plain librdkafka consumer that is **not** a group
/// member: it assigns partitions itself (`rd_kafka_assign`), never subscribes, never commits (Ferry runs its own
/// groups and commits through ``KafkaAdmin``).
///
/// Threads: the reader serialises its callers with a lock: one ``fetch(maxRecords:timeout:)`` at a time, and a
/// fetch **blocks the calling thread** for up to its timeout while it waits for records. Call it from a thread
/// that may block (a dedicated reader thread, or one taken from a pool sized for it), never from an event loop.
/// ``close()`` blocks until librdkafka has left the assignment (milliseconds).
///
/// Offsets: the reader sets `auto.offset.reset=error`, so asking for an offset outside the partition's range
/// throws `OFFSET_OUT_OF_RANGE` instead of silently jumping. Reaching the end of the partition is not an error:
/// a fetch returns what it has, or waits for new records until its timeout and returns none.
public final class KafkaPartitionReader: Sendable {
    let client: KafkaClientHandle
    private let state = Lock(ReaderState())

    struct ReaderState {
        var assigned: KafkaTopicPartition?
        /// The offset the next record of the assigned partition should have (nil: not known yet).
        var nextOffset: Int64?
        /// An error met after records were already collected, thrown by the next fetch.
        var pendingError: KafkaError?
        var closed = false
        /// Topics whose metadata this consumer has asked for (see ``primeMetadata(_:)``).
        var knownTopics: Set<String> = []
    }

    /// The `group.id` given to readers whose configuration sets none; it never joins a group or commits.
    public static let readerGroupID = "__ferry_partition_reader"

    /// Where to start reading an assigned partition.
    public enum StartOffset: Sendable, Equatable {
        case beginning
        case end
        case offset(Int64)

        var native: Int64 {
            switch self {
            case .beginning: Int64(RD_KAFKA_OFFSET_BEGINNING)
            case .end: Int64(RD_KAFKA_OFFSET_END)
            case .offset(let offset): offset
            }
        }
    }

    /// Creates the consumer (connecting lazily). Throws a ``KafkaError`` naming a bad property.
    public init(configuration: KafkaConfiguration) throws(KafkaError) {
        var extra: [(key: String, value: String)] = [
            ("enable.auto.commit", "false"), ("enable.auto.offset.store", "false"),
            ("enable.partition.eof", "true"), ("auto.offset.reset", "error"),
        ]
        // librdkafka's rd_kafka_assign refuses a consumer without group.id (_UNKNOWN_GROUP), although an assigning
        // consumer never joins or commits: a fixed name that no Kafka group member uses is enough.
        if configuration.value(for: "group.id") == nil {
            extra.append(("group.id", KafkaPartitionReader.readerGroupID))
        }
        client = try KafkaClientHandle(type: RD_KAFKA_CONSUMER, configuration: configuration, extra: extra)
        // Serve the main queue's events (errors, logs) through consumer_poll so that they do not pile up.
        _ = rd_kafka_poll_set_consumer(client.pointer)
    }

    deinit {
        close()
    }

    /// Reads `topicPartition` from `offset` on: replaces the previous assignment and drops what was prefetched.
    /// Does not block (the fetch starts in librdkafka's background).
    public func assign(_ topicPartition: KafkaTopicPartition, at offset: StartOffset) throws(KafkaError) {
        try state.withLock { state throws(KafkaError) in
            try assign(topicPartition, at: offset, state: &state)
        }
    }

    /// The assigned partition and the offset the next fetched record will have, if known.
    public var position: (topicPartition: KafkaTopicPartition, nextOffset: Int64?)? {
        state.withLock { state in state.assigned.map { ($0, state.nextOffset) } }
    }

    /// Up to `maxRecords` records of `topicPartition` from `offset` on, reusing the current assignment (and what
    /// librdkafka prefetched) when it continues where the previous fetch stopped. Blocks up to `timeout`.
    public func fetch(
        _ topicPartition: KafkaTopicPartition, from offset: Int64, maxRecords: Int, timeout: Duration
    ) throws(KafkaError) -> [KafkaRecord] {
        try state.withLock { state throws(KafkaError) in
            if state.assigned != topicPartition || state.nextOffset != offset {
                try assign(topicPartition, at: .offset(offset), state: &state)
            }
            return try fetch(maxRecords: maxRecords, timeout: timeout, state: &state)
        }
    }

    /// Up to `maxRecords` records of the assigned partition. Returns as soon as at least one record is there and
    /// nothing more is immediately available; with no records, waits until `timeout` (blocking the thread) and
    /// returns an empty array. Throws the partition's error (`OFFSET_OUT_OF_RANGE`, `UNKNOWN_TOPIC_OR_PART`, …)
    /// or `_STATE` when nothing is assigned.
    public func fetch(maxRecords: Int, timeout: Duration) throws(KafkaError) -> [KafkaRecord] {
        try state.withLock { state throws(KafkaError) in
            try fetch(maxRecords: maxRecords, timeout: timeout, state: &state)
        }
    }

    /// Stops reading the assigned partition (no more prefetching, no fetch left waiting at a broker) until the
    /// next ``assign(_:at:)`` or ``fetch(_:from:maxRecords:timeout:)``. Does not block.
    public func unassign() {
        state.withLock { state in
            guard !state.closed, state.assigned != nil else { return }
            state.assigned = nil
            state.nextOffset = nil
            state.pendingError = nil
            _ = rd_kafka_assign(client.pointer, nil)
        }
    }

    /// Leaves the assignment. Blocks briefly (at most 3 s when the cluster is gone); later fetches throw
    /// `_STATE`. Safe to call more than once.
    public func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            state.assigned = nil
            _ = rd_kafka_assign(client.pointer, nil)
            closeConsumer(client, timeout: .seconds(3))
        }
    }

    private func assign(_ topicPartition: KafkaTopicPartition, at offset: StartOffset, state: inout ReaderState)
        throws(KafkaError)
    {
        guard !state.closed else {
            throw KafkaError(code: KafkaError.stateCode, message: "the reader is closed", isRetriable: false)
        }
        if !state.knownTopics.contains(topicPartition.topic) {
            primeMetadata(topicPartition)
            state.knownTopics.insert(topicPartition.topic)
        }
        let list = TopicPartitionList([(topicPartition, offset.native)])
        try KafkaError.check(rd_kafka_assign(client.pointer, list.pointer))
        state.assigned = topicPartition
        state.pendingError = nil
        if case .offset(let value) = offset { state.nextOffset = value } else { state.nextOffset = nil }
    }

    /// Whether the last fetch answer's high watermark for `topicPartition` is past `offset` + 1.
    private func hasMore(_ topicPartition: KafkaTopicPartition, after offset: Int64) -> Bool {
        var low: Int64 = -1
        var high: Int64 = -1
        let err = rd_kafka_get_watermark_offsets(
            client.pointer, topicPartition.topic, topicPartition.partition, &low, &high)
        return err == RD_KAFKA_RESP_ERR_NO_ERROR && high > offset + 1
    }

    /// Makes librdkafka learn the topic's partitions and leaders now: a consumer assigned a topic it has no
    /// metadata for waits for its once-a-second topic scan to ask (measured: ~1 s for the first read of each
    /// topic on each reader). A watermark query looks the leader up at once. Blocks up to 5 s; errors are left
    /// for the fetch to report.
    private func primeMetadata(_ topicPartition: KafkaTopicPartition) {
        var low: Int64 = 0
        var high: Int64 = 0
        _ = rd_kafka_query_watermark_offsets(
            client.pointer, topicPartition.topic, topicPartition.partition, &low, &high, 5_000)
    }

    private func fetch(maxRecords: Int, timeout: Duration, state: inout ReaderState) throws(KafkaError) -> [KafkaRecord]
    {
        guard let assigned = state.assigned, !state.closed else {
            throw KafkaError(code: KafkaError.stateCode, message: "no partition assigned", isRetriable: false)
        }
        if let error = state.pendingError {
            state.pendingError = nil
            throw error
        }
        let deadline = MonotonicClock.nanoseconds() &+ UInt64(milliseconds(timeout)) &* 1_000_000
        var records: [KafkaRecord] = []
        records.reserveCapacity(min(maxRecords, 1_024))
        while records.count < maxRecords {
            let now = MonotonicClock.nanoseconds()
            let wait: Int32
            if now >= deadline {
                wait = 0
            } else if records.isEmpty {
                wait = Int32(clamping: (deadline - now) / 1_000_000)
            } else {
                // The leader has more (its high watermark is past what came): wait briefly for the next fetch
                // answer rather than stop at one record batch (a broker may answer one batch per fetch).
                wait =
                    hasMore(assigned, after: records[records.count - 1].offset)
                    ? min(50, Int32(clamping: (deadline - now) / 1_000_000)) : 0
            }
            guard let message = rd_kafka_consumer_poll(client.pointer, wait) else {
                if records.isEmpty && MonotonicClock.nanoseconds() < deadline { continue }
                break
            }
            defer { rd_kafka_message_destroy(message) }
            let err = message.pointee.err
            if err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                if records.isEmpty { continue }  // caught up: wait for new records until the deadline
                break
            }
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                let detail = rd_kafka_message_errstr(message).map { String(cString: $0) }
                // With auto.offset.reset=error librdkafka reports an out-of-range offset as _AUTO_OFFSET_RESET;
                // callers want Kafka's own code for it.
                let code = err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ? RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE : err
                let error = KafkaError(code, message: detail)
                // A client-level event (no topic: a broker connection dropped) is librdkafka's to recover from,
                // unless no broker at all is reachable; an error for another partition is left over from before.
                if message.pointee.rkt == nil && err != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN { continue }
                if let topic = message.pointee.rkt,
                    string(rd_kafka_topic_name(topic)) != assigned.topic
                        || message.pointee.partition != assigned.partition
                {
                    continue
                }
                if records.isEmpty { throw error }
                state.pendingError = error
                break
            }
            let record = KafkaRecord(message)
            guard record.topic == assigned.topic && record.partition == assigned.partition else { continue }
            state.nextOffset = record.offset + 1
            records.append(record)
        }
        return records
    }
}
