import FerrySystem
import Testing

@testable import FerryLog

/// The raw-value record flag (headerCount bit 15, with batch attribute bit 0) and the data written before it.
struct RecordFlagsTests {
    @Test func rawValueFlag_RoundTrips_AndLeavesHeadersAlone() throws {
        let test = try TestLog.make()
        defer { test.close() }
        let header = RecordHeader(name: "h", value: "v")
        try test.log.append([
            RecordInput(key: Array("k".utf8), value: [0xff, 0x00], headers: [header], timestamp: 5, isRawValue: true),
            RecordInput(value: Array("1".utf8), timestamp: 6),
            RecordInput(value: nil, timestamp: 7, isRawValue: true),
        ])
        let records = try test.log.read(from: 0).records
        #expect(records.map(\.isRawValue) == [true, false, true])
        #expect(records.map(\.headerCount) == [1, 0, 0])
        #expect(records[0].recordHeaders == [header] && records[0].value?.array == [0xff, 0x00])
        #expect(records[2].value == nil)
    }

    @Test func aBatchWithoutTheFlagsAttribute_ReadsAllSixteenBitsAsTheHeaderCount() throws {
        // A batch as written before the flag existed: attribute 0, and (legally then) the raw marker header.
        let source = RecordBuffer([
            RecordInput(value: Array("x".utf8), headers: [RecordHeader(name: "", value: [])], timestamp: 1)
        ])
        let size = try RecordBatchEncoder.measure(source, maxMessageBytes: 1 << 20)
        var bytes = [UInt8](repeating: 0, count: size)
        try bytes.withUnsafeMutableBytes { raw throws in
            let base = try #require(raw.baseAddress)
            RecordBatchEncoder.encode(source, baseOffset: 0, size: size, into: base)
            base.put(UInt8(0), RecordBatchFormat.attributesOffset)  // as an old writer left it, with a fresh CRC
            base.put(
                CRC32C.checksum(UnsafeRawBufferPointer(start: base + 8, count: size - 8)), RecordBatchFormat.crcOffset)
        }
        let decoded = try bytes.withUnsafeBytes { raw throws -> [(headers: Int, raw: Bool)] in
            let base = try #require(raw.baseAddress)
            let header = try #require(RecordBatchDecoder.header(at: 0, in: base, limit: size, verifyChecksum: true))
            #expect(!header.recordsHaveFlags)
            var seen: [(headers: Int, raw: Bool)] = []
            try RecordBatchDecoder.forEachRecord(in: header, at: 0, base: base, segmentBaseOffset: 0) {
                _, _, _, _, _, headerCount, isRawValue, _ throws(LogError) -> Bool in
                seen.append((headerCount, isRawValue))
                return true
            }
            return seen
        }
        #expect(decoded.count == 1 && decoded[0].headers == 1 && !decoded[0].raw)
    }

    @Test func tooManyHeaders_AreRefusedBeforeAnythingIsWritten() throws {
        let test = try TestLog.make()
        defer { test.close() }
        let headers = Array(
            repeating: RecordHeader(name: "h", value: []), count: RecordBatchFormat.maximumHeaderCount + 1)
        #expect(throws: LogError.self) { try test.log.append([RecordInput(value: [], headers: headers, timestamp: 1)]) }
        #expect(test.log.nextOffset == 0)
        try test.log.append([RecordInput(value: [], headers: Array(headers.dropLast()), timestamp: 1)])
        #expect(try test.log.read(from: 0).records.first?.headerCount == RecordBatchFormat.maximumHeaderCount)
    }
}
