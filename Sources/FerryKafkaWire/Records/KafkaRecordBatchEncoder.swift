import FerrySystem

/// Writes the records of one partition read into a record batch v2 (uncompressed), the form every Kafka
/// consumer reads from a Fetch response.
///
/// Offsets must be added in increasing order (gaps are allowed: offset deltas carry them). The batch is
/// written straight into the caller's buffer; ``finish()`` patches length and CRC.
public struct KafkaRecordBatchEncoder {
    private var writer: KafkaWriter
    private let start: Int
    private var baseOffset: Int64 = -1
    private var baseTimestamp: Int64 = 0
    private var maxTimestamp: Int64 = -1
    private var lastOffset: Int64 = -1
    public private(set) var recordCount: Int32 = 0

    /// Starts a batch at the end of `buffer` (which may already hold earlier batches).
    public init(appendingTo buffer: [UInt8] = [], capacity: Int = 4096) {
        writer = KafkaWriter(capacity: 0)
        writer.bytes = buffer
        writer.bytes.reserveCapacity(buffer.count + capacity)
        start = buffer.count
        writer.bytes.append(contentsOf: repeatElement(0, count: KafkaRecordBatch.headerSize))
    }

    /// Appends one record. Written straight into the batch: its length is computed first, so no scratch
    /// buffer or copy per record.
    public mutating func append(
        offset: Int64, timestamp: Int64, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        headers: [(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)]
    ) {
        if recordCount == 0 {
            baseOffset = offset
            baseTimestamp = timestamp
        }
        lastOffset = offset
        maxTimestamp = max(maxTimestamp, timestamp)
        recordCount += 1
        let timestampDelta = timestamp &- baseTimestamp
        let offsetDelta = Int32(truncatingIfNeeded: offset &- baseOffset)
        var length = 1 + Self.varlongSize(timestampDelta) + Self.varintSize(offsetDelta)
        length += Self.varBytesSize(key) + Self.varBytesSize(value) + Self.varintSize(Int32(headers.count))
        for header in headers { length += Self.varBytesSize(header.name) + Self.varBytesSize(header.value) }
        writer.varint(Int32(truncatingIfNeeded: length))
        writer.int8(0)
        writer.varlong(timestampDelta)
        writer.varint(offsetDelta)
        writeVarBytes(key)
        writeVarBytes(value)
        writer.varint(Int32(headers.count))
        for header in headers {
            writeVarBytes(header.name)
            writeVarBytes(header.value)
        }
    }

    private mutating func writeVarBytes(_ value: UnsafeRawBufferPointer?) {
        guard let value else { return writer.varint(-1) }
        writer.varint(Int32(value.count))
        writer.raw(value)
    }

    private static func varBytesSize(_ value: UnsafeRawBufferPointer?) -> Int {
        guard let value else { return 1 }
        return varintSize(Int32(value.count)) + value.count
    }

    static func varintSize(_ value: Int32) -> Int {
        unsignedVarintSize(UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
    }

    static func varlongSize(_ value: Int64) -> Int {
        unsignedVarintSize(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    private static func unsignedVarintSize(_ value: UInt64) -> Int {
        var v = value
        var size = 1
        while v >= 0x80 {
            v >>= 7
            size += 1
        }
        return size
    }

    /// Writes the header (lengths, CRC) and returns the buffer; an empty batch is removed again.
    public mutating func finish() -> [UInt8] {
        var bytes: [UInt8] = []
        swap(&bytes, &writer.bytes)
        guard recordCount > 0 else {
            bytes.removeSubrange(start...)
            return bytes
        }
        var header = KafkaWriter(capacity: KafkaRecordBatch.headerSize)
        header.int64(baseOffset)
        header.int32(Int32(bytes.count - start - KafkaRecordBatch.logOverhead))
        header.int32(-1)  // partitionLeaderEpoch
        header.int8(2)  // magic
        header.uint32(0)  // crc, below
        header.int16(0)  // attributes: no compression, create time
        header.int32(Int32(truncatingIfNeeded: lastOffset &- baseOffset))
        header.int64(baseTimestamp)
        header.int64(maxTimestamp)
        header.int64(-1)  // producerId
        header.int16(-1)  // producerEpoch
        header.int32(-1)  // baseSequence
        header.int32(recordCount)
        for (index, byte) in header.bytes.enumerated() { bytes[start + index] = byte }
        let crc = bytes.withUnsafeBytes { all in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: all[(start + KafkaRecordBatch.attributesOffset)...]))
        }
        let at = start + KafkaRecordBatch.crcOffset
        bytes[at] = UInt8(crc >> 24)
        bytes[at + 1] = UInt8((crc >> 16) & 0xFF)
        bytes[at + 2] = UInt8((crc >> 8) & 0xFF)
        bytes[at + 3] = UInt8(crc & 0xFF)
        return bytes
    }
}
