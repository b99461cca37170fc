import FerrySystem

/// The validated header of a batch found at some position in a segment.
struct BatchHeader {
    let length: Int
    let baseOffset: Int64
    let recordCount: Int
    let firstTimestamp: Int64
    let maxTimestamp: Int64
    /// Whether records carry flags in their headerCount field (``RecordBatchFormat``).
    let recordsHaveFlags: Bool
    var lastOffset: Int64 { baseOffset + Int64(recordCount) - 1 }
    var nextOffset: Int64 { baseOffset + Int64(recordCount) }
}

/// Reads batches from mapped segment bytes. Stateless; every length read from disk is bounds-checked.
enum RecordBatchDecoder {
    /// The header of the batch at `position` if it is structurally valid and fits in `limit` bytes; when
    /// `verifyChecksum` is true, also its CRC. Nil for anything else (torn, zeroed, garbage).
    @inline(__always)
    static func header(at position: Int, in base: UnsafeRawPointer, limit: Int, verifyChecksum: Bool) -> BatchHeader? {
        guard position >= 0, limit - position >= RecordBatchFormat.batchHeaderSize else { return nil }
        let batch = base + position
        let length = Int(batch.u32(RecordBatchFormat.lengthOffset))
        let count = Int(batch.u32(RecordBatchFormat.recordCountOffset))
        guard length >= RecordBatchFormat.batchHeaderSize + RecordBatchFormat.recordHeaderSize,
            length <= limit - position,
            count >= 1,
            count <= (length - RecordBatchFormat.batchHeaderSize) / RecordBatchFormat.recordHeaderSize,
            batch.load(fromByteOffset: RecordBatchFormat.magicOffset, as: UInt8.self) == RecordBatchFormat.magic
        else { return nil }
        if verifyChecksum {
            let stored = batch.u32(RecordBatchFormat.crcOffset)
            let computed = CRC32C.checksum(UnsafeRawBufferPointer(start: batch + 8, count: length - 8))
            guard stored == computed else { return nil }
        }
        let baseOffset = batch.i64(RecordBatchFormat.baseOffsetOffset)
        guard baseOffset >= 0, baseOffset <= Int64.max - Int64(count) else { return nil }
        return BatchHeader(
            length: length, baseOffset: baseOffset, recordCount: count,
            firstTimestamp: batch.i64(RecordBatchFormat.firstTimestampOffset),
            maxTimestamp: batch.i64(RecordBatchFormat.maxTimestampOffset),
            recordsHaveFlags: batch.load(fromByteOffset: RecordBatchFormat.attributesOffset, as: UInt8.self)
                & RecordBatchFormat.recordFlagsAttribute != 0)
    }

    /// Calls `body` for each record of a CRC-verified batch, validating every record's structure first.
    /// Throws `.corruptBatch` when a length is out of bounds (only possible for a CRC-valid but malformed batch).
    @inline(__always)
    static func forEachRecord(
        in header: BatchHeader, at position: Int, base: UnsafeRawPointer, segmentBaseOffset: Int64,
        _ body: (
            _ record: UnsafeRawPointer, _ offset: Int64, _ timestamp: Int64, _ keyLength: Int32,
            _ valueLength: Int32, _ headerCount: Int, _ isRawValue: Bool, _ size: Int
        ) throws(LogError) -> Bool
    ) throws(LogError) {
        let end = position + header.length
        var cursor = position + RecordBatchFormat.batchHeaderSize
        for index in 0..<header.recordCount {
            let record = base + cursor
            guard end - cursor >= RecordBatchFormat.recordHeaderSize else {
                throw LogError.corruptBatch(segmentBaseOffset: segmentBaseOffset, position: position)
            }
            let size = Int(record.u32(0))
            let delta = Int(record.u32(4))
            let keyLength = record.i32(16)
            let valueLength = record.i32(20)
            let countField = record.u16(24)
            let isRawValue = header.recordsHaveFlags && countField & RecordBatchFormat.rawValueFlag != 0
            let headerCount = Int(header.recordsHaveFlags ? countField & ~RecordBatchFormat.rawValueFlag : countField)
            guard size >= RecordBatchFormat.recordHeaderSize, size <= end - cursor, delta == index,
                keyLength >= -1, valueLength >= -1,
                RecordBatchFormat.recordHeaderSize + max(0, Int(keyLength)) + max(0, Int(valueLength)) <= size,
                headersFit(record, size: size, keyLength: keyLength, valueLength: valueLength, count: headerCount)
            else { throw LogError.corruptBatch(segmentBaseOffset: segmentBaseOffset, position: position) }
            let keepGoing = try body(
                record, header.baseOffset + Int64(index), record.i64(8), keyLength, valueLength,
                headerCount, isRawValue, size)
            if !keepGoing { return }
            cursor += size
        }
    }

    @inline(__always)
    private static func headersFit(
        _ record: UnsafeRawPointer, size: Int, keyLength: Int32, valueLength: Int32, count: Int
    ) -> Bool {
        var cursor = RecordBatchFormat.recordHeaderSize + max(0, Int(keyLength)) + max(0, Int(valueLength))
        for _ in 0..<count {
            guard size - cursor >= 2 else { return false }
            cursor += 2 + Int(record.u16(cursor))
            guard size - cursor >= 4 else { return false }
            let length = Int(record.u32(cursor))
            cursor += 4
            guard length <= size - cursor else { return false }
            cursor += length
        }
        return cursor == size
    }
}
