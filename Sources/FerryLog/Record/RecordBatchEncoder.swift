import FerrySystem

/// Encodes an `append` call's records as one batch (see ``RecordBatchFormat``) directly into mapped memory.
///
/// Stateless; no heap allocation. The caller provides the destination (the active segment's mapping, with the
/// append lock held) and is responsible for it being large enough: ``measure(_:maxMessageBytes:)`` first.
enum RecordBatchEncoder {
    /// The encoded size of record `index`; throws when a field is too long for the format.
    @inline(__always)
    static func recordSize<Source: RecordSource>(_ source: Source, _ index: Int) throws(LogError) -> Int {
        var size = RecordBatchFormat.recordHeaderSize
        if let key = source.key(ofRecord: index) { size += key.count }
        if let value = source.value(ofRecord: index) { size += value.count }
        let headerCount = source.headerCount(ofRecord: index)
        if headerCount > RecordBatchFormat.maximumHeaderCount {
            throw LogError.invalidRecord("more than \(RecordBatchFormat.maximumHeaderCount) headers")
        }
        for h in 0..<headerCount {
            let header = source.header(h, ofRecord: index)
            if header.name.count > Int(UInt16.max) {
                throw LogError.invalidRecord("header name longer than \(UInt16.max) bytes")
            }
            size += 6 + header.name.count + header.value.count
        }
        return size
    }

    /// The encoded batch size; throws when a record exceeds `maxMessageBytes` or the batch the format's limit.
    static func measure<Source: RecordSource>(_ source: Source, maxMessageBytes: Int) throws(LogError) -> Int {
        if source.recordCount == 0 { throw LogError.emptyBatch }
        var total = RecordBatchFormat.batchHeaderSize
        for index in 0..<source.recordCount {
            let size = try recordSize(source, index)
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
    static func encode<Source: RecordSource>(
        _ source: Source, baseOffset: Int64, size: Int, into destination: UnsafeMutableRawPointer
    ) -> (first: Int64, max: Int64) {
        let position = source.withBytes { bytes in encodeRecords(source, bytes, into: destination) }
        precondition(position.end == size, "RecordBatchEncoder: encoded \(position.end) bytes, measured \(size)")
        let firstTimestamp = source.timestamp(ofRecord: 0)
        let maxTimestamp = position.maxTimestamp
        destination.put(UInt32(truncatingIfNeeded: size), RecordBatchFormat.lengthOffset)
        destination.put(baseOffset, RecordBatchFormat.baseOffsetOffset)
        destination.put(UInt32(truncatingIfNeeded: source.recordCount), RecordBatchFormat.recordCountOffset)
        destination.put(RecordBatchFormat.magic, RecordBatchFormat.magicOffset)
        destination.put(RecordBatchFormat.recordFlagsAttribute, RecordBatchFormat.attributesOffset)
        destination.put(UInt16(0), RecordBatchFormat.magicOffset + 2)
        destination.put(firstTimestamp, RecordBatchFormat.firstTimestampOffset)
        destination.put(maxTimestamp, RecordBatchFormat.maxTimestampOffset)
        let body = UnsafeRawBufferPointer(start: destination + 8, count: size - 8)
        destination.put(CRC32C.checksum(body), RecordBatchFormat.crcOffset)
        return (firstTimestamp, maxTimestamp)
    }

    /// Writes every record after the batch header; returns where the records end and the largest timestamp.
    @inline(__always)
    private static func encodeRecords<Source: RecordSource>(
        _ source: Source, _ bytes: UnsafeRawBufferPointer, into destination: UnsafeMutableRawPointer
    ) -> (end: Int, maxTimestamp: Int64) {
        var position = RecordBatchFormat.batchHeaderSize
        var maxTimestamp = Int64.min
        for index in 0..<source.recordCount {
            let start = destination + position
            let timestamp = source.timestamp(ofRecord: index)
            start.put(UInt32(truncatingIfNeeded: index), 4)
            start.put(timestamp, 8)
            if timestamp > maxTimestamp { maxTimestamp = timestamp }
            let headerCount = source.headerCount(ofRecord: index)
            let flags = source.isRawValue(ofRecord: index) ? RecordBatchFormat.rawValueFlag : 0
            start.put(UInt16(truncatingIfNeeded: headerCount) | flags, 24)
            var cursor = RecordBatchFormat.recordHeaderSize
            cursor += copyOptional(source.key(ofRecord: index), from: bytes, to: start, lengthAt: 16, dataAt: cursor)
            cursor += copyOptional(source.value(ofRecord: index), from: bytes, to: start, lengthAt: 20, dataAt: cursor)
            for h in 0..<headerCount {
                let header = source.header(h, ofRecord: index)
                (start + cursor).put(UInt16(truncatingIfNeeded: header.name.count), 0)
                cursor += 2
                copy(header.name, from: bytes, to: start + cursor)
                cursor += header.name.count
                (start + cursor).put(UInt32(truncatingIfNeeded: header.value.count), 0)
                cursor += 4
                copy(header.value, from: bytes, to: start + cursor)
                cursor += header.value.count
            }
            start.put(UInt32(truncatingIfNeeded: cursor), 0)
            position += cursor
        }
        return (position, maxTimestamp)
    }

    /// Writes `-1` (nil) or the length and bytes of `range`; returns the number of data bytes written.
    @inline(__always)
    private static func copyOptional(
        _ range: Range<Int>?, from bytes: UnsafeRawBufferPointer, to record: UnsafeMutableRawPointer, lengthAt: Int,
        dataAt: Int
    ) -> Int {
        guard let range else {
            record.put(Int32(-1), lengthAt)
            return 0
        }
        record.put(Int32(truncatingIfNeeded: range.count), lengthAt)
        copy(range, from: bytes, to: record + dataAt)
        return range.count
    }

    @inline(__always)
    private static func copy(
        _ range: Range<Int>, from bytes: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer
    ) {
        guard !range.isEmpty, let base = bytes.baseAddress else { return }
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "RecordSource range outside its bytes")
        destination.copyMemory(from: base + range.lowerBound, byteCount: range.count)
    }
}
