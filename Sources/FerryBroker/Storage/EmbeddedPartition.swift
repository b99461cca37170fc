import FerryLog

/// ``PartitionStorage`` over one `FerryLog.PartitionLog`. Thread-safe (the log is).
final class EmbeddedPartition: PartitionStorage {
    let log: PartitionLog
    let topic: String
    let space: StorageSpace

    init(log: PartitionLog, topic: String, space: StorageSpace) {
        self.log = log
        self.topic = topic
        self.space = space
    }

    var startOffset: Int64 { log.logStartOffset }
    var endOffset: Int64 { log.nextOffset }
    var sizeInBytes: Int64? { log.sizeInBytes }
    var bounds: PartitionBounds {
        let bounds = log.bounds
        return PartitionBounds(startOffset: bounds.start, endOffset: bounds.end, sizeInBytes: bounds.size)
    }
    var segmentCount: Int? { log.segmentCount }
    var traffic: PartitionTrafficTotals {
        let counters = log.traffic
        return PartitionTrafficTotals(
            appendedMessages: counters.appendedMessages, appendedBytes: counters.appendedBytes,
            readMessages: counters.readMessages, readBytes: counters.readBytes)
    }

    /// Appends into the mapping on the caller's thread (readable when this returns); `completion` runs at once
    /// under `interval`/`never`, from a flusher thread after the group commit under `always`.
    func append(
        _ batch: ProduceBatch, indices: [Int], timestamps: [Int64],
        completion: @escaping @Sendable (Result<AppendedOffsets, BrokerError>) -> Void
    ) {
        var payloadBytes = 0
        for index in indices {
            let record = batch.records[index]
            payloadBytes += (record.key?.count ?? 0) + (record.value?.count ?? 0)
        }
        let records = ProduceBatchRecords(batch: batch, indices: indices, timestamps: timestamps)
        do {
            let appended = try log.appendDeferringDurability(records) { [self] result in
                completion(
                    result.map { .run(base: $0.baseOffset, count: $0.count) }.mapError(appendFailure))
            }
            space.noteAppended()
            log.traffic.recordAppend(messages: appended.count, bytes: payloadBytes)
        } catch {
            completion(.failure(appendFailure(error)))
        }
    }

    /// The broker's error for a failed append (or its sync), noting a full disk on the way.
    private func appendFailure(_ error: LogError) -> BrokerError {
        if case .diskFull = error { space.noteFull() }
        return EmbeddedStorageEngine.map(error, topic: topic)
    }

    /// Reads from the mapping on the caller's thread and completes before returning.
    func read(
        from offset: Int64, maxMessages: Int, maxBytes: Int,
        completion: @escaping @Sendable (Result<any StoredBatch, BrokerError>) -> Void
    ) {
        do throws(BrokerError) {
            completion(.success(try readBatch(from: offset, maxMessages: maxMessages, maxBytes: maxBytes)))
        } catch {
            completion(.failure(error))
        }
    }

    func readBatch(from offset: Int64, maxMessages: Int, maxBytes: Int) throws(BrokerError) -> EmbeddedBatch {
        let batch: ReadBatch
        do {
            batch = try log.read(from: offset, maxRecords: maxMessages, maxBytes: maxBytes)
        } catch {
            throw EmbeddedStorageEngine.map(error, topic: topic)
        }
        // The log stops once `maxBytes` is reached, so its last record may overshoot; API.md's bound is strict
        // except for the first message, so a record that would overshoot is left for the next fetch.
        var bytes = 0
        for index in batch.records.indices {
            let size = batch.records[index].payloadBytes
            if index > 0 && bytes + size > maxBytes {
                log.traffic.recordRead(messages: index, bytes: bytes)
                return EmbeddedBatch(
                    records: batch.records[..<index],
                    position: PartitionRead(
                        nextOffset: batch.records[index].offset, startOffset: batch.logStartOffset,
                        endOffset: batch.logEndOffset))
            }
            bytes += size
        }
        log.traffic.recordRead(messages: batch.records.count, bytes: bytes)
        return EmbeddedBatch(
            records: batch.records[...],
            position: PartitionRead(
                nextOffset: batch.nextOffset, startOffset: batch.logStartOffset, endOffset: batch.logEndOffset))
    }

    /// Presents one record as a ``StoredMessage``. Key and value are views into the mapping, which `record`
    /// keeps alive for the duration of this call; header names are copied into one buffer.
    static func withMessage(_ record: ReadRecord, _ visit: (borrowing StoredMessage) -> Void) {
        let keyBytes = record.unsafeKey
        let valueBytes = record.unsafeValue
        guard record.headerCount > 0 else {
            withExtendedLifetime(record) {
                visit(
                    StoredMessage(
                        offset: record.offset, timestamp: record.timestamp, key: keyBytes, value: valueBytes,
                        valueFormat: record.isRawValue ? .raw : .json, headers: []))
            }
            return
        }
        let stored = record.headers
        // Data written before the raw flag: the marker is a raw message's only header, so there are no user
        // headers to present.
        if stored.count == 1 && stored[0].name.isEmpty {
            withExtendedLifetime(record) {
                visit(
                    StoredMessage(
                        offset: record.offset, timestamp: record.timestamp, key: keyBytes, value: valueBytes,
                        valueFormat: .raw, headers: []))
            }
            return
        }
        var format: ValueFormat = record.isRawValue ? .raw : .json
        var nameBytes: [UInt8] = []
        var ranges: [(name: Range<Int>, value: RecordBytes)] = []
        for header in stored {
            if header.name.isEmpty {
                format = .raw
                continue
            }
            let start = nameBytes.count
            nameBytes.append(contentsOf: header.name.utf8)
            ranges.append((start..<nameBytes.count, header.value))
        }
        nameBytes.withUnsafeBytes { names in
            let headers = ranges.map { entry in
                (name: UnsafeRawBufferPointer(rebasing: names[entry.name]), value: entry.value.withUnsafeBytes { $0 })
            }
            withExtendedLifetime((record, stored)) {
                visit(
                    StoredMessage(
                        offset: record.offset, timestamp: record.timestamp, key: keyBytes, value: valueBytes,
                        valueFormat: format, headers: headers))
            }
        }
    }

    func startNewSegment() throws(BrokerError) -> Int64 {
        do {
            return try log.rollNow()
        } catch {
            throw EmbeddedStorageEngine.map(error, topic: topic)
        }
    }

    func dropHistory(before offset: Int64) throws(BrokerError) {
        do {
            try log.flush()
            _ = try log.deleteSegments(before: offset)
        } catch {
            throw appendFailure(error)
        }
    }

    func offset(
        atOrAfterTimestamp timestamp: Int64, completion: @escaping @Sendable (Result<Int64, BrokerError>) -> Void
    ) {
        completion(.success((try? log.offset(atOrAfterTimestamp: timestamp)) ?? log.nextOffset))
    }

    func waitForAppend(after offset: Int64, _ callback: @escaping @Sendable () -> Void) -> AppendWaitToken {
        AppendWaitToken(log.notifyWhenAppended(after: offset, callback))
    }

    func cancelWait(_ token: AppendWaitToken) {
        if let token = token.value as? AppendWaiterToken { log.cancelAppendNotification(token) }
    }
}

/// Records read from the mapping, presented as ``StoredMessage``s (views, no copy; the records keep their
/// mapping alive).
struct EmbeddedBatch: StoredBatch {
    let records: ArraySlice<ReadRecord>
    let position: PartitionRead

    var count: Int { records.count }

    func forEach(_ visit: (borrowing StoredMessage) -> Void) {
        // Through the buffer, each record is borrowed in place: no copy (and retain) of its mapping per message.
        records.withUnsafeBufferPointer { buffer in
            for index in buffer.indices { EmbeddedPartition.withMessage(buffer[index], visit) }
        }
    }
}
