import FerrySystem

/// Writes the records of one partition read into a record batch v2 (uncompressed), the form every Kafka
/// consumer reads from a Fetch response.
///
/// Offsets must be added in increasing order (gaps are allowed: offset deltas carry them). The batch is
/// written straight into the caller's buffer; ``finish()`` patches length and CRC.
public struct KafkaRecordBatchEncoder {
    public private(set) var bytes: [UInt8]
    private let start: Int
    private var baseOffset: Int64 = -1
    private var baseTimestamp: Int64 = 0
    private var maxTimestamp: Int64 = -1
    private var lastOffset: Int64 = -1
    public private(set) var recordCount: Int32 = 0
    private var scratch = KafkaWriter(capacity: 64)

    /// Starts a batch at the end of `buffer` (which may already hold earlier batches).
    public init(appendingTo buffer: [UInt8] = [], capacity: Int = 4096) {
        bytes = buffer
        bytes.reserveCapacity(buffer.count + capacity)
        start = buffer.count
        bytes.append(contentsOf: repeatElement(0, count: KafkaRecordBatch.headerSize))
    }

    public var isEmpty: Bool { recordCount == 0 }

    /// Appends one record. `headers` values may be nil (Kafka allows null header values).
    public mutating func append(
        offset: Int64, timestamp: Int64, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        headers: [(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?)]
    ) {
        if recordCount == 0 {
            baseOffset = offset
            baseTimestamp = timestamp
        }
        lastOffset = offset
        maxTimestamp = max(maxTimestamp, timestamp)
        recordCount += 1
        // The body goes to a scratch writer first: the record starts with its own varint length.
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.int8(0)
        scratch.varlong(timestamp &- baseTimestamp)
        scratch.varint(Int32(truncatingIfNeeded: offset &- baseOffset))
        Self.writeVarBytes(key, to: &scratch)
        Self.writeVarBytes(value, to: &scratch)
        scratch.varint(Int32(headers.count))
        for header in headers {
            scratch.varint(Int32(header.name.count))
            scratch.raw(header.name)
            Self.writeVarBytes(header.value, to: &scratch)
        }
        var lengthWriter = KafkaWriter(capacity: 5)
        lengthWriter.varint(Int32(scratch.count))
        bytes.append(contentsOf: lengthWriter.bytes)
        bytes.append(contentsOf: scratch.bytes)
    }

    private static func writeVarBytes(_ value: UnsafeRawBufferPointer?, to writer: inout KafkaWriter) {
        guard let value else { return writer.varint(-1) }
        writer.varint(Int32(value.count))
        writer.raw(value)
    }

    /// Writes the header (lengths, CRC) and returns the buffer; an empty batch is removed again.
    public consuming func finish() -> [UInt8] {
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
        bytes.replaceSubrange(start..<(start + KafkaRecordBatch.headerSize), with: header.bytes)
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
