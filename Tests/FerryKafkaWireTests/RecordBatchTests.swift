import FerryKafkaWire
import Testing

/// Record batches v2: the encoder against the decoder, a batch assembled by hand from Kafka's spec
/// (https://kafka.apache.org/documentation/#recordbatch), gzip, and input the decoder must refuse without
/// trapping.
@Suite("Kafka record batches v2")
struct RecordBatchTests {
    /// One record as a test states it.
    struct Record: Equatable {
        var offset: Int64
        var timestamp: Int64
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [(name: [UInt8], value: [UInt8]?)]

        static func == (a: Record, b: Record) -> Bool {
            a.offset == b.offset && a.timestamp == b.timestamp && a.key == b.key && a.value == b.value
                && a.headers.count == b.headers.count
                && zip(a.headers, b.headers).allSatisfy { $0.name == $1.name && $0.value == $1.value }
        }
    }

    static func encode(_ records: [Record], appendingTo buffer: [UInt8] = []) -> [UInt8] {
        var encoder = KafkaRecordBatchEncoder(appendingTo: buffer)
        for record in records {
            withOptionalBytes(record.key) { key in
                withOptionalBytes(record.value) { value in
                    withHeaders(record.headers) { headers in
                        encoder.append(
                            offset: record.offset, timestamp: record.timestamp, key: key, value: value,
                            headers: headers)
                    }
                }
            }
        }
        return encoder.finish()
    }

    private static func withOptionalBytes(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> Void) {
        guard let bytes else { return body(nil) }
        bytes.withUnsafeBytes { body($0) }
    }

    private static func withHeaders(
        _ headers: [(name: [UInt8], value: [UInt8]?)],
        _ body: ([(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)]) -> Void
    ) {
        // Copies that live for the call: the pointers stay valid until `body` returns.
        let names = headers.map { header in
            let pointer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, header.name.count), alignment: 1)
            pointer.copyBytes(from: header.name)
            return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(pointer)[0..<header.name.count])
        }
        let values = headers.map { header -> UnsafeRawBufferPointer in
            // The encoder writes no null header values (Ferry stores none).
            let value = header.value ?? []
            let pointer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, value.count), alignment: 1)
            pointer.copyBytes(from: value)
            return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(pointer)[0..<value.count])
        }
        defer {
            for name in names { UnsafeMutableRawPointer(mutating: name.baseAddress)?.deallocate() }
            for value in values { UnsafeMutableRawPointer(mutating: value.baseAddress)?.deallocate() }
        }
        body(zip(names, values).map { (name: $0, value: $1) })
    }

    /// The records of decoded batches, offsets made absolute.
    static func records(_ batches: [KafkaDecodedBatch]) -> [Record] {
        batches.flatMap { batch in
            batch.records.map { record in
                Record(
                    offset: batch.baseOffset + Int64(record.offsetDelta), timestamp: record.timestamp,
                    key: record.key.map { Array(batch.payload[$0]) },
                    value: record.value.map { Array(batch.payload[$0]) },
                    headers: record.headers.map {
                        (name: Array(batch.payload[$0.name]), value: $0.value.map { Array(batch.payload[$0]) })
                    })
            }
        }
    }

    // MARK: Encoder → decoder

    @Test("encoder output decodes to the same keys, values, headers, timestamps and offsets")
    func roundTrip() throws {
        let base: Int64 = 1_700_000_000_000
        let input: [Record] = [
            Record(offset: 40, timestamp: base, key: Array("k1".utf8), value: Array("v1".utf8), headers: []),
            Record(
                offset: 41, timestamp: base - 5, key: nil, value: Array("{\"a\":1}".utf8),
                headers: [
                    (name: Array("trace".utf8), value: Array("abc".utf8)), (name: Array("empty".utf8), value: []),
                    (name: Array("trace".utf8), value: Array("repeated".utf8)),
                ]),
            // A gap in offsets (compaction) and a tombstone.
            Record(offset: 45, timestamp: base + 123_456, key: Array("k3".utf8), value: nil, headers: []),
            Record(offset: 46, timestamp: base + 1, key: [], value: [], headers: [(name: [], value: [0, 0xFF])]),
            Record(
                offset: 300, timestamp: base + 2, key: [UInt8](repeating: 7, count: 300),
                value: [UInt8](repeating: 0xAB, count: 70_000), headers: []),
        ]
        let bytes = Self.encode(input)
        let batches = try KafkaRecordBatchDecoder.decode(bytes, maxDecompressedBytes: 1 << 20)
        #expect(batches.count == 1)
        let batch = try #require(batches.first)
        #expect(batch.baseOffset == 40)
        #expect(batch.compression == .none)
        #expect(batch.producerID == -1 && batch.producerEpoch == -1 && batch.baseSequence == -1)
        #expect(!batch.isTransactional && !batch.isControl)
        #expect(batch.records.map(\.offsetDelta) == [0, 1, 5, 6, 260])
        #expect(Self.records(batches) == input)
    }

    @Test("two batches written into one buffer decode as two batches")
    func twoBatches() throws {
        let first = [Record(offset: 0, timestamp: 10, key: nil, value: Array("a".utf8), headers: [])]
        let second = [Record(offset: 7, timestamp: 20, key: Array("b".utf8), value: nil, headers: [])]
        let bytes = Self.encode(second, appendingTo: Self.encode(first))
        let batches = try KafkaRecordBatchDecoder.decode(bytes, maxDecompressedBytes: 1 << 20)
        #expect(batches.map(\.baseOffset) == [0, 7])
        #expect(Self.records(batches) == first + second)
    }

    @Test("an encoder given no records writes nothing")
    func emptyEncoder() {
        var appending = KafkaRecordBatchEncoder(appendingTo: [1, 2, 3])
        #expect(appending.finish() == [1, 2, 3])
        var empty = KafkaRecordBatchEncoder()
        #expect(empty.finish().isEmpty)
    }

    // MARK: Golden bytes

    /// The one record of the golden batch: attributes, timestampDelta, offsetDelta, key "k", value "v", one
    /// header h=x. Varints are zigzag: 1 → 0x02, 12 → 0x18.
    static let goldenRecordBody: [UInt8] = [
        0x00,  // attributes
        0x00,  // timestampDelta 0
        0x00,  // offsetDelta 0
        0x02, 0x6B,  // key: length 1, "k"
        0x02, 0x76,  // value: length 1, "v"
        0x02,  // 1 header
        0x02, 0x68,  // header key: length 1, "h"
        0x02, 0x78,  // header value: length 1, "x"
    ]

    /// A batch header by hand, CRC computed here over attributes..end.
    static func batch(
        baseOffset: Int64 = 5, magic: UInt8 = 2, attributes: Int16 = 0, lastOffsetDelta: Int32 = 0,
        timestamp: Int64 = 1_700_000_000_000, producerID: Int64 = -1, producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1, count: Int32 = 1, records: [UInt8], crc: UInt32? = nil
    ) -> [UInt8] {
        let afterCRC: [UInt8] =
            be(attributes) + be(lastOffsetDelta) + be(timestamp) + be(timestamp) + be(producerID) + be(producerEpoch)
            + be(baseSequence) + be(count) + records
        let length = Int32(4 + 1 + 4 + afterCRC.count)  // partitionLeaderEpoch + magic + crc + the rest
        return be(baseOffset) + be(length) + be(Int32(-1)) + [magic] + be(crc ?? crc32c(afterCRC)) + afterCRC
    }

    @Test("a one-record batch matches bytes assembled by hand from the v2 spec, CRC-32C included")
    func goldenBatch() throws {
        #expect(crc32c(Array("123456789".utf8)) == 0xE306_9283, "the test's own CRC-32C (RFC 3720 check value)")
        let records = [0x18] + Self.goldenRecordBody  // record length varint 12
        let expected: [UInt8] =
            [0, 0, 0, 0, 0, 0, 0, 5]  // baseOffset 5
            + [0, 0, 0, 62]  // batchLength: 49 header bytes after it + 13 record bytes
            + [0xFF, 0xFF, 0xFF, 0xFF]  // partitionLeaderEpoch -1
            + [2]  // magic
            + be(
                crc32c(
                    [0, 0]  // attributes
                        + [0, 0, 0, 0]  // lastOffsetDelta
                        + [0, 0, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00]  // baseTimestamp 1_700_000_000_000
                        + [0, 0, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00]  // maxTimestamp
                        + [UInt8](repeating: 0xFF, count: 8)  // producerId -1
                        + [0xFF, 0xFF]  // producerEpoch -1
                        + [0xFF, 0xFF, 0xFF, 0xFF]  // baseSequence -1
                        + [0, 0, 0, 1]  // recordCount
                        + records))
            + [0, 0]
            + [0, 0, 0, 0]
            + [0, 0, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00]
            + [0, 0, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00]
            + [UInt8](repeating: 0xFF, count: 8)
            + [0xFF, 0xFF]
            + [0xFF, 0xFF, 0xFF, 0xFF]
            + [0, 0, 0, 1]
            + records
        #expect(expected == Self.batch(records: records), "the helper agrees with the hand-written bytes")
        let record = Record(
            offset: 5, timestamp: 1_700_000_000_000, key: Array("k".utf8), value: Array("v".utf8),
            headers: [(name: Array("h".utf8), value: Array("x".utf8))])
        let encoded = Self.encode([record])
        #expect(encoded == expected, "\(hex(encoded))\nvs\n\(hex(expected))")
        // The CRC field is the CRC-32C of attributes..end.
        let crcField =
            UInt32(expected[17]) << 24 | UInt32(expected[18]) << 16 | UInt32(expected[19]) << 8
            | UInt32(expected[20])
        #expect(crcField == crc32c(Array(expected[21...])))
        let decoded = try KafkaRecordBatchDecoder.decode(expected, maxDecompressedBytes: 1 << 20)
        #expect(Self.records(decoded) == [record])
    }

    @Test("a record with a null key, a null value and a null header value decodes them as nil")
    func nullsDecode() throws {
        // attributes, ts delta 0, offset delta 0, key null (-1 → 0x01), value null, 1 header: "h", null value.
        let body: [UInt8] = [0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x02, 0x68, 0x01]
        let bytes = Self.batch(records: [UInt8(body.count * 2)] + body)
        let decoded = try KafkaRecordBatchDecoder.decode(bytes, maxDecompressedBytes: 1 << 20)
        #expect(
            Self.records(decoded) == [
                Record(
                    offset: 5, timestamp: 1_700_000_000_000, key: nil, value: nil,
                    headers: [(name: Array("h".utf8), value: nil)])
            ])
    }

    // MARK: gzip

    @Test("a gzip-compressed batch (attributes compression 1) decodes")
    func gzipBatch() throws {
        let plain: [UInt8] = [0x18] + Self.goldenRecordBody
        // Second record: attributes 0, timestampDelta +1 (0x02), offsetDelta 1 (0x02), key null (0x01), value
        // "bc" (0x04 'b' 'c'), no headers: 8 bytes, length varint 0x10.
        let record2: [UInt8] = [0x10, 0x00, 0x02, 0x02, 0x01, 0x04, 0x62, 0x63, 0x00]
        let compressed = Gzip.compress(plain + record2)
        #expect(!compressed.isEmpty)
        let bytes = Self.batch(attributes: 1, lastOffsetDelta: 1, count: 2, records: compressed)
        let batches = try KafkaRecordBatchDecoder.decode(bytes, maxDecompressedBytes: 1 << 20)
        let batch = try #require(batches.first)
        #expect(batch.compression == .gzip)
        #expect(
            Self.records(batches) == [
                Record(
                    offset: 5, timestamp: 1_700_000_000_000, key: Array("k".utf8), value: Array("v".utf8),
                    headers: [(name: Array("h".utf8), value: Array("x".utf8))]),
                Record(offset: 6, timestamp: 1_700_000_000_001, key: nil, value: Array("bc".utf8), headers: []),
            ])
    }

    @Test("a gzip bomb over the limit throws")
    func gzipBomb() {
        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        let compressed = Gzip.compress(zeros, level: 9)
        #expect(compressed.count < 64 << 10)
        let bytes = Self.batch(attributes: 1, count: 1, records: compressed)
        #expect(throws: KafkaRecordBatchDecoder.Failure.self) {
            _ = try KafkaRecordBatchDecoder.decode(bytes, maxDecompressedBytes: 1 << 20)
        }
        #expect(throws: KafkaWireError.self) { _ = try Gzip.decompress(compressed[...], limit: 1 << 20) }
        #expect((try? Gzip.decompress(compressed[...], limit: 4 << 20))?.count == 4 << 20, "at the limit: fine")
    }

    @Test("corrupt gzip data throws")
    func corruptGzip() {
        var compressed = Gzip.compress([0x18] + Self.goldenRecordBody)
        compressed[compressed.count / 2] ^= 0xFF
        let bytes = Self.batch(attributes: 1, records: compressed)
        #expect(throws: KafkaRecordBatchDecoder.Failure.self) {
            _ = try KafkaRecordBatchDecoder.decode(bytes, maxDecompressedBytes: 1 << 20)
        }
    }

    // MARK: Refusals

    @Test("a wrong CRC is .checksumMismatch")
    func badCRC() throws {
        let good = Self.batch(records: [0x18] + Self.goldenRecordBody)
        var bad = good
        bad[bad.count - 1] ^= 0x01  // a record byte: covered by the CRC
        #expect(throws: KafkaRecordBatchDecoder.Failure.checksumMismatch) {
            _ = try KafkaRecordBatchDecoder.decode(bad, maxDecompressedBytes: 1 << 20)
        }
        var badField = good
        badField[20] ^= 0x80  // the CRC itself
        #expect(throws: KafkaRecordBatchDecoder.Failure.checksumMismatch) {
            _ = try KafkaRecordBatchDecoder.decode(badField, maxDecompressedBytes: 1 << 20)
        }
    }

    @Test("magic 1 is .unsupportedMagic")
    func magicOne() {
        let bytes = Self.batch(magic: 1, records: [0x18] + Self.goldenRecordBody)
        #expect(throws: KafkaRecordBatchDecoder.Failure.unsupportedMagic(1)) {
            _ = try KafkaRecordBatchDecoder.decode(bytes, maxDecompressedBytes: 1 << 20)
        }
    }

    @Test("snappy, lz4, zstd and undefined codes are .unsupportedCompression", arguments: [Int16(2), 3, 4, 5, 7])
    func unsupportedCompression(code: Int16) {
        let bytes = Self.batch(attributes: code, records: [0x18] + Self.goldenRecordBody)
        #expect(throws: KafkaRecordBatchDecoder.Failure.unsupportedCompression(code)) {
            _ = try KafkaRecordBatchDecoder.decode(bytes, maxDecompressedBytes: 1 << 20)
        }
    }

    @Test("every truncation of a valid batch throws")
    func truncated() {
        let bytes = Self.batch(records: [0x18] + Self.goldenRecordBody)
        for length in 1..<bytes.count {
            #expect(throws: KafkaRecordBatchDecoder.Failure.self, "\(length) of \(bytes.count) bytes") {
                _ = try KafkaRecordBatchDecoder.decode(Array(bytes[0..<length]), maxDecompressedBytes: 1 << 20)
            }
        }
        #expect((try? KafkaRecordBatchDecoder.decode([], maxDecompressedBytes: 1 << 20))?.isEmpty == true)
    }

    @Test("hostile counts and lengths throw, never trap or allocate what they claim")
    func hostileCountsAndLengths() {
        let body = [0x18] + Self.goldenRecordBody
        var cases: [(String, [UInt8])] = [
            ("record count Int32.max", Self.batch(count: .max, records: body)),
            ("record count 2", Self.batch(count: 2, records: body)),
            ("negative record count", Self.batch(count: -1, records: body)),
            ("record count Int32.min", Self.batch(count: .min, records: body)),
            // Record length varint: huge, negative, one past the end.
            ("record length 2^31-1", Self.batch(records: [0xFE, 0xFF, 0xFF, 0xFF, 0x0F] + Self.goldenRecordBody)),
            ("negative record length", Self.batch(records: [0x01] + Self.goldenRecordBody)),
            ("record length past the batch", Self.batch(records: [0x1A] + Self.goldenRecordBody)),
            ("unterminated varint", Self.batch(records: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])),
            // Key length 2^31-1 inside a record.
            ("key length huge", Self.batch(records: [0x10, 0x00, 0x00, 0x00, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F])),
            // Header count 2^31-1.
            (
                "header count huge",
                Self.batch(records: [0x12, 0x00, 0x00, 0x00, 0x01, 0x01, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F])
            ),
            // Header name null.
            ("null header name", Self.batch(records: [0x10, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x01, 0x01])),
        ]
        // batchLength: too small for a header, larger than the bytes, negative.
        var short = Self.batch(records: body)
        short.replaceSubrange(8..<12, with: be(Int32(10)))
        cases.append(("batch length 10", short))
        var long = Self.batch(records: body)
        long.replaceSubrange(8..<12, with: be(Int32.max))
        cases.append(("batch length Int32.max", long))
        var negative = Self.batch(records: body)
        negative.replaceSubrange(8..<12, with: be(Int32.min))
        cases.append(("batch length Int32.min", negative))
        // A compressed record count the inflated bytes cannot hold.
        cases.append(("gzip count Int32.max", Self.batch(attributes: 1, count: .max, records: Gzip.compress(body))))
        for (name, bytes) in cases {
            #expect(throws: KafkaRecordBatchDecoder.Failure.self, "\(name)") {
                _ = try KafkaRecordBatchDecoder.decode(bytes, maxDecompressedBytes: 1 << 20)
            }
        }
    }
}

// MARK: Byte helpers

func be(_ value: Int16) -> [UInt8] { [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)] }
func be(_ value: Int32) -> [UInt8] { be(UInt32(bitPattern: value)) }
func be(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
}
func be(_ value: Int64) -> [UInt8] {
    let bits = UInt64(bitPattern: value)
    return (0..<8).map { UInt8((bits >> (56 - 8 * UInt64($0))) & 0xFF) }
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit: independent of the module's table code.
func crc32c(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
    }
    return ~crc
}
