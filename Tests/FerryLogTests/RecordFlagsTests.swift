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

    /// A raw record with one header, encoded as one batch; `legacy` clears the flags attribute (as a writer
    /// before the flag left it) and recomputes the CRC.
    func encodedBatch(legacy: Bool) throws -> [UInt8] {
        let source = RecordBuffer([
            RecordInput(value: [1], headers: [RecordHeader(name: "h", value: [])], timestamp: 1, isRawValue: true)
        ])
        let size = try RecordBatchEncoder.measure(source, maxMessageBytes: 1 << 20)
        var bytes = [UInt8](repeating: 0, count: size)
        try bytes.withUnsafeMutableBytes { raw throws in
            let base = try #require(raw.baseAddress)
            RecordBatchEncoder.encode(source, baseOffset: 0, size: size, into: base)
            guard legacy else { return }
            base.put(UInt8(0), RecordBatchFormat.attributesOffset)
            base.put(
                CRC32C.checksum(UnsafeRawBufferPointer(start: base + 8, count: size - 8)), RecordBatchFormat.crcOffset)
        }
        return bytes
    }

    /// Each record's header count and raw flag as the decoder reads them.
    func decode(_ bytes: [UInt8]) throws -> [(headers: Int, raw: Bool)] {
        try bytes.withUnsafeBytes { raw throws -> [(headers: Int, raw: Bool)] in
            let base = try #require(raw.baseAddress)
            let header = try #require(
                RecordBatchDecoder.header(at: 0, in: base, limit: bytes.count, verifyChecksum: true))
            var seen: [(headers: Int, raw: Bool)] = []
            try RecordBatchDecoder.forEachRecord(in: header, at: 0, base: base, segmentBaseOffset: 0) {
                _, _, _, _, _, headerCount, isRawValue, _ throws(LogError) -> Bool in
                seen.append((headerCount, isRawValue))
                return true
            }
            return seen
        }
    }

    @Test func theFlagsAttribute_DecidesWhetherBit15IsAFlagOrPartOfTheHeaderCount() throws {
        // With the attribute: bit 15 is the raw flag, the count is 1.
        let current = try decode(try encodedBatch(legacy: false))
        #expect(current.count == 1 && current[0].headers == 1 && current[0].raw)
        // Without it (older data): all 16 bits count headers, so 0x8001 headers cannot fit in the record.
        #expect(throws: LogError.self) { _ = try decode(try encodedBatch(legacy: true)) }
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
