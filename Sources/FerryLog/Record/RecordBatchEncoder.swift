import FerrySystem

/// Encodes an `append` call's records as one batch (see ``RecordBatchFormat``) directly into mapped memory.
///
/// Stateless; no heap allocation. The caller provides the destination (the active segment's mapping, with the
/// append lock held) and is responsible for it being large enough: ``measure(_:maxMessageBytes:)`` first.
enum RecordBatchEncoder {
    /// The encoded size of one record, or nil when a field is too long for the format.
    @inline(__always)
    static func recordSize(_ record: RecordInput) throws(LogError) -> Int {
        var size = RecordBatchFormat.recordHeaderSize
        if let key = record.key { size += key.count }
        if let value = record.value { size += value.count }
        if record.headers.count > Int(UInt16.max) {
            throw LogError.invalidRecord("more than \(UInt16.max) headers")
        }
        for header in record.headers {
            let nameLength = header.name.utf8.count
            if nameLength > Int(UInt16.max) { throw LogError.invalidRecord("header name longer than \(UInt16.max) bytes") }
            size += 6 + nameLength + header.value.count
        }
        return size
    }

    /// The encoded batch size; throws when a record exceeds `maxMessageBytes` or the batch the format's limit.
    static func measure(_ records: [RecordInput], maxMessageBytes: Int) throws(LogError) -> Int {
        if records.isEmpty { throw LogError.emptyBatch }
        var total = RecordBatchFormat.batchHeaderSize
        for record in records {
            let size = try recordSize(record)
            if size > maxMessageBytes { throw LogError.messageTooLarge(size: size, maximum: maxMessageBytes) }
            total += size
        }
        if total > RecordBatchFormat.maximumBatchBytes {
            throw LogError.batchTooLarge(size: total, maximum: RecordBatchFormat.maximumBatchBytes)
        }
        return total
    }

    /// Writes the batch (`size` bytes, as measured) at `destination`, computes its CRC last.
    /// Returns `(firstTimestamp, maxTimestamp)`.
    @discardableResult
    static func encode(
        _ records: [RecordInput], baseOffset: Int64, size: Int, into destination: UnsafeMutableRawPointer
    ) -> (first: Int64, max: Int64) {
        var position = RecordBatchFormat.batchHeaderSize
        var maxTimestamp = Int64.min
        for (index, record) in records.enumerated() {
            let start = destination + position
            start.put(UInt32(truncatingIfNeeded: index), 4)
            start.put(record.timestamp, 8)
            if record.timestamp > maxTimestamp { maxTimestamp = record.timestamp }
            start.put(UInt16(truncatingIfNeeded: record.headers.count), 24)
            var cursor = RecordBatchFormat.recordHeaderSize
            cursor += copyOptional(record.key, to: start, lengthAt: 16, dataAt: cursor)
            cursor += copyOptional(record.value, to: start, lengthAt: 20, dataAt: cursor)
            for header in record.headers {
                let name = header.name.utf8
                let nameLength = name.count
                (start + cursor).put(UInt16(truncatingIfNeeded: nameLength), 0)
                cursor += 2
                let copied = name.withContiguousStorageIfAvailable { buffer -> Bool in
                    if let base = buffer.baseAddress { (start + cursor).copyMemory(from: base, byteCount: nameLength) }
                    return true
                }
                if copied == nil {
                    var index = 0
                    for byte in name {
                        (start + cursor).put(byte, index)
                        index += 1
                    }
                }
                cursor += nameLength
                (start + cursor).put(UInt32(truncatingIfNeeded: header.value.count), 0)
                cursor += 4
                header.value.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { (start + cursor).copyMemory(from: base, byteCount: raw.count) }
                }
                cursor += header.value.count
            }
            start.put(UInt32(truncatingIfNeeded: cursor), 0)
            position += cursor
        }
        precondition(position == size, "RecordBatchEncoder: encoded \(position) bytes, measured \(size)")
        let firstTimestamp = records[0].timestamp
        destination.put(UInt32(truncatingIfNeeded: size), RecordBatchFormat.lengthOffset)
        destination.put(baseOffset, RecordBatchFormat.baseOffsetOffset)
        destination.put(UInt32(truncatingIfNeeded: records.count), RecordBatchFormat.recordCountOffset)
        destination.put(RecordBatchFormat.magic, RecordBatchFormat.magicOffset)
        destination.put(UInt8(0), RecordBatchFormat.magicOffset + 1)
        destination.put(UInt16(0), RecordBatchFormat.magicOffset + 2)
        destination.put(firstTimestamp, RecordBatchFormat.firstTimestampOffset)
        destination.put(maxTimestamp, RecordBatchFormat.maxTimestampOffset)
        let body = UnsafeRawBufferPointer(start: destination + 8, count: size - 8)
        destination.put(CRC32C.checksum(body), RecordBatchFormat.crcOffset)
        return (firstTimestamp, maxTimestamp)
    }

    /// Writes `-1` (nil) or the length and bytes of `bytes`; returns the number of data bytes written.
    @inline(__always)
    private static func copyOptional(
        _ bytes: [UInt8]?, to record: UnsafeMutableRawPointer, lengthAt: Int, dataAt: Int
    ) -> Int {
        guard let bytes else {
            record.put(Int32(-1), lengthAt)
            return 0
        }
        record.put(Int32(truncatingIfNeeded: bytes.count), lengthAt)
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { (record + dataAt).copyMemory(from: base, byteCount: raw.count) }
        }
        return bytes.count
    }
}
