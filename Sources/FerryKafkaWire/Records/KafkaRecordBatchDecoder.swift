import FerrySystem

/// One record of a decoded batch: ranges into its batch's ``KafkaDecodedBatch/payload``.
public struct KafkaDecodedRecord: Sendable, Equatable {
    public var offsetDelta: Int32
    public var timestamp: Int64
    public var key: Range<Int>?
    public var value: Range<Int>?
    /// Header names and values (nil = a null header value).
    public var headers: [KafkaDecodedHeader]
}

/// A record header as ranges into the payload.
public struct KafkaDecodedHeader: Sendable, Equatable {
    public var name: Range<Int>
    public var value: Range<Int>?
}

/// A record batch v2 as a producer sent it, its records decompressed.
public struct KafkaDecodedBatch: Sendable {
    public var baseOffset: Int64
    public var producerID: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var isTransactional: Bool
    public var isControl: Bool
    public var compression: KafkaRecordBatch.Compression
    /// The bytes the record ranges point into (the request's bytes, or the decompressed records).
    public var payload: [UInt8]
    public var records: [KafkaDecodedRecord]
}

/// Decodes the record set of a Produce request: one or more record batches v2, each CRC-checked, gzip or
/// uncompressed. Anything else (an old message format, snappy/lz4/zstd, a bad CRC, a record that overruns its
/// batch) throws; the caller answers with the matching Kafka error for that partition.
public enum KafkaRecordBatchDecoder {
    /// Why a record set was refused, mapped by the caller to a Kafka error code.
    public enum Failure: Error, Equatable, Sendable {
        /// Not a v2 batch (magic 0 or 1).
        case unsupportedMagic(Int8)
        case unsupportedCompression(Int16)
        case checksumMismatch
        case malformed(String)
    }

    /// Decodes every batch in `bytes`. `maxDecompressedBytes` bounds what a compressed batch may inflate to.
    public static func decode(_ bytes: [UInt8], maxDecompressedBytes: Int) throws(Failure) -> [KafkaDecodedBatch] {
        var batches: [KafkaDecodedBatch] = []
        var position = 0
        while position < bytes.count {
            let (batch, next) = try decodeBatch(bytes, at: position, maxDecompressedBytes: maxDecompressedBytes)
            batches.append(batch)
            position = next
        }
        return batches
    }

    private static func decodeBatch(
        _ bytes: [UInt8], at start: Int, maxDecompressedBytes: Int
    ) throws(Failure) -> (KafkaDecodedBatch, Int) {
        var reader = KafkaReader(bytes, from: start)
        do {
            let baseOffset = try reader.int64()
            let batchLength = Int(try reader.int32())
            let end = start + KafkaRecordBatch.logOverhead + batchLength
            guard batchLength >= KafkaRecordBatch.headerSize - KafkaRecordBatch.logOverhead, end <= bytes.count
            else { throw Failure.malformed("record batch length \(batchLength) does not fit the record set") }
            _ = try reader.int32()  // partitionLeaderEpoch
            let magic = try reader.int8()
            guard magic == 2 else { throw Failure.unsupportedMagic(magic) }
            let crc = try reader.uint32()
            let computed = bytes.withUnsafeBytes { all in
                CRC32C.checksum(
                    UnsafeRawBufferPointer(rebasing: all[(start + KafkaRecordBatch.attributesOffset)..<end]))
            }
            guard crc == computed else { throw Failure.checksumMismatch }
            let attributes = try reader.int16()
            _ = try reader.int32()  // lastOffsetDelta
            let baseTimestamp = try reader.int64()
            _ = try reader.int64()  // maxTimestamp
            let producerID = try reader.int64()
            let producerEpoch = try reader.int16()
            let baseSequence = try reader.int32()
            let count = Int(try reader.int32())
            guard count >= 0 else { throw Failure.malformed("negative record count") }
            let compressionCode = attributes & KafkaRecordBatch.compressionMask
            guard let compression = KafkaRecordBatch.Compression(rawValue: compressionCode) else {
                throw Failure.unsupportedCompression(compressionCode)
            }
            var payload: [UInt8]
            var recordsReader: KafkaReader
            switch compression {
            case .none:
                payload = bytes
                recordsReader = KafkaReader(bytes, from: reader.position, end: end)
            case .gzip:
                payload = try Gzip.decompress(bytes[reader.position..<end], limit: maxDecompressedBytes)
                recordsReader = KafkaReader(payload)
            case .snappy, .lz4, .zstd:
                throw Failure.unsupportedCompression(compressionCode)
            }
            // Each record takes at least 7 bytes: refuse a count the bytes cannot hold before reserving.
            guard count <= recordsReader.remaining / 7 + 1 else {
                throw Failure.malformed("record count \(count) does not fit the batch")
            }
            var records: [KafkaDecodedRecord] = []
            records.reserveCapacity(count)
            for _ in 0..<count {
                records.append(try decodeRecord(&recordsReader, baseTimestamp: baseTimestamp))
            }
            if compression != .none { payload = recordsReader.bytes }
            let batch = KafkaDecodedBatch(
                baseOffset: baseOffset, producerID: producerID, producerEpoch: producerEpoch,
                baseSequence: baseSequence, isTransactional: attributes & KafkaRecordBatch.transactionalBit != 0,
                isControl: attributes & KafkaRecordBatch.controlBit != 0, compression: compression,
                payload: payload, records: records)
            return (batch, end)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .malformed("\(error)")
        }
    }

    private static func decodeRecord(
        _ reader: inout KafkaReader, baseTimestamp: Int64
    ) throws -> KafkaDecodedRecord {
        let length = Int(try reader.varint())
        guard length >= 0, length <= reader.remaining else {
            throw Failure.malformed("record length \(length) overruns its batch")
        }
        let end = reader.position + length
        var record = KafkaReader(reader.bytes, from: reader.position, end: end)
        _ = try record.int8()  // attributes (unused)
        let timestampDelta = try record.varlong()
        let offsetDelta = try record.varint()
        let key = try varBytes(&record)
        let value = try varBytes(&record)
        let headerCount = Int(try record.varint())
        guard headerCount >= 0, headerCount <= record.remaining / 2 else {
            throw Failure.malformed("header count \(headerCount) overruns its record")
        }
        var headers: [KafkaDecodedHeader] = []
        headers.reserveCapacity(headerCount)
        for _ in 0..<headerCount {
            guard let name = try varBytes(&record) else { throw Failure.malformed("null header name") }
            headers.append(KafkaDecodedHeader(name: name, value: try varBytes(&record)))
        }
        try reader.skip(length)
        return KafkaDecodedRecord(
            offsetDelta: offsetDelta, timestamp: baseTimestamp &+ timestampDelta, key: key, value: value,
            headers: headers)
    }

    private static func varBytes(_ reader: inout KafkaReader) throws -> Range<Int>? {
        let length = Int(try reader.varint())
        if length < 0 { return nil }
        let start = reader.position
        try reader.skip(length)
        return start..<(start + length)
    }
}
