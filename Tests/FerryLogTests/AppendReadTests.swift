import FerryLog
import FerrySystem
import Testing

struct AppendReadTests {
    @Test func append_RoundTripsEveryField() throws {
        let test = try TestLog.make()
        defer { test.close() }
        let big = [UInt8]((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let manyHeaders = (0..<50).map { RecordHeader(name: "h\($0)", value: [UInt8](repeating: UInt8($0), count: $0)) }
        let inputs: [RecordInput] = [
            RecordInput(key: nil, value: nil, timestamp: 1),  // no key, tombstone
            RecordInput(key: [], value: [], timestamp: 2),  // empty, not nil
            RecordInput(
                key: [0, 255, 0, 10, 13], value: [0, 1, 2],
                headers: [
                    RecordHeader(name: "dup", value: "a"),
                    RecordHeader(name: "dup", value: "b"), RecordHeader(name: "", value: []),
                ], timestamp: -5),
            RecordInput(key: Array("k".utf8), value: big, headers: manyHeaders, timestamp: Int64.max),
            RecordInput(
                key: Array("ünïcødé".utf8), value: Array("v".utf8),
                headers: [RecordHeader(name: "ключ", value: [0xFF])],
                timestamp: 0),
        ]
        var configuration = test.log.configuration
        configuration.maxMessageBytes = 2 << 20
        try test.log.updateConfiguration(configuration)
        for input in inputs { try test.log.append([input]) }
        let records = try test.log.read(from: 0, maxRecords: 100).records
        #expect(records.count == inputs.count)
        for (record, input) in zip(records, inputs) {
            #expect(record.key?.array == input.key)
            #expect(record.value?.array == input.value)
            #expect(record.timestamp == input.timestamp)
            #expect(record.recordHeaders == input.headers)
        }
        #expect(records[0].key == nil && records[0].value == nil)
        #expect(records[1].key?.isEmpty == true && records[1].value?.isEmpty == true)
    }

    @Test func append_AssignsDenseOffsets_AcrossBatches() throws {
        let test = try TestLog.make()
        defer { test.close() }
        var expected: Int64 = 0
        for size in [1, 5, 100, 1, 37] {
            let result = try test.log.append((0..<size).map { sampleRecord($0) })
            #expect(result.baseOffset == expected)
            #expect(result.lastOffset == expected + Int64(size) - 1)
            expected += Int64(size)
        }
        #expect(test.log.nextOffset == expected)
        let records = try readAll(test.log)
        #expect(records.map(\.offset) == Array(0..<expected))
    }

    @Test func append_RejectsEmptyBatchAndOversizedRecord_WithoutWriting() throws {
        var configuration = LogConfiguration(flushPolicy: .never)
        configuration.maxMessageBytes = 200
        let test = try TestLog.make(configuration)
        defer { test.close() }
        #expect(throws: LogError.emptyBatch) { try test.log.append([]) }
        #expect {
            try test.log.append([sampleRecord(1, valueBytes: 10), sampleRecord(2, valueBytes: 500)])
        } throws: { error in
            if case LogError.messageTooLarge = error { return true }
            return false
        }
        #expect(test.log.nextOffset == 0)
        #expect(test.log.sizeInBytes == 0)
    }

    @Test func appendDeferringDurability_ReturnsOffsets_AndCallsBackOnce() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .always))
        defer { test.close() }
        let calls = ConditionLock<[AppendResult]>([])
        let result = try test.log.appendDeferringDurability([sampleRecord(0), sampleRecord(1)]) { outcome in
            if case .success(let appended) = outcome { calls.withLockThenSignal { $0.append(appended) } }
        }
        #expect(result.baseOffset == 0 && result.lastOffset == 1)
        #expect(try test.log.read(from: 0).records.count == 2)  // readable before it is durable
        let completed = calls.wait(deadline: { _ in nil }) { $0.isEmpty ? nil : $0 }
        #expect(completed == [result])
        #expect(throws: LogError.emptyBatch) { try test.log.appendDeferringDurability([]) { _ in } }
    }

    @Test func read_ThrowsOutOfRange_WhenBeyondEnd_AndReturnsEmptyAtEnd() throws {
        let test = try TestLog.make()
        defer { test.close() }
        try test.log.append([sampleRecord(0), sampleRecord(1)])
        #expect(try test.log.read(from: 2).records.isEmpty)
        #expect(throws: LogError.offsetOutOfRange(requested: 3, logStartOffset: 0, nextOffset: 2)) {
            try test.log.read(from: 3)
        }
        #expect(throws: LogError.offsetOutOfRange(requested: -1, logStartOffset: 0, nextOffset: 2)) {
            try test.log.read(from: -1)
        }
    }

    @Test func read_RespectsMaxRecordsAndMaxBytes_ReturningAtLeastOne() throws {
        let test = try TestLog.make()
        defer { test.close() }
        try test.log.append((0..<10).map { sampleRecord($0, valueBytes: 100) })
        #expect(try test.log.read(from: 0, maxRecords: 3).records.map(\.offset) == [0, 1, 2])
        #expect(try test.log.read(from: 4, maxRecords: 100, maxBytes: 1).records.map(\.offset) == [4])
        // key "key-N" is 5 bytes + 100 value bytes = 105 per record: 2 fit in 300 bytes, 3 in 315.
        #expect(try test.log.read(from: 0, maxRecords: 100, maxBytes: 300).records.count == 2)
        #expect(try test.log.read(from: 0, maxRecords: 100, maxBytes: 315).records.count == 3)
    }

    @Test func segments_Roll_AndEveryOffsetIsReadable_AcrossSegments() throws {
        var configuration = LogConfiguration(segmentBytes: 4096, indexIntervalBytes: 512, flushPolicy: .never)
        configuration.preallocationBytes = 4096
        let test = try TestLog.make(configuration, maxMappedSegments: 3)
        defer { test.close() }
        var inputs: [RecordInput] = []
        for batch in 0..<60 {
            let records = (0..<(batch % 4 + 1)).map { sampleRecord(inputs.count + $0, valueBytes: 50 + batch) }
            try test.log.append(records)
            inputs += records
        }
        #expect(test.log.segmentCount > 5)
        for offset in 0..<inputs.count {
            let records = try test.log.read(from: Int64(offset), maxRecords: 1).records
            #expect(records.count == 1)
            #expect(records.first.map { $0.offset == Int64(offset) && matches($0, inputs[offset]) } == true)
        }
        let all = try readAll(test.log)
        #expect(all.count == inputs.count)
        #expect(zip(all, inputs).allSatisfy { matches($0, $1) })
        // Reopen: closed segments are mapped lazily from their files.
        let reopened = try test.reopen()
        defer { reopened.close() }
        let again = try readAll(reopened.log)
        #expect(again.count == inputs.count)
        #expect(zip(again, inputs).allSatisfy { matches($0, $1) })
        #expect(reopened.environment.cache.mappedCount <= 3)
        // Dropping the resident pages of mapped segments loses nothing: reads map them again.
        reopened.environment.cache.releaseResidentPages()
        let afterRelease = try readAll(reopened.log)
        #expect(zip(afterRelease, inputs).allSatisfy { matches($0, $1) } && afterRelease.count == inputs.count)
    }

    @Test func read_InAnyOrder_AfterTailingReads_ReturnsTheRightRecords() throws {
        // Tailing reads leave a hint (the batch a read stopped in); reads that jump backwards, forwards, into
        // other segments, and while appends go on must never start from a wrong position.
        var configuration = LogConfiguration(segmentBytes: 4096, indexIntervalBytes: 1024, flushPolicy: .never)
        configuration.preallocationBytes = 4096
        let test = try TestLog.make(configuration, maxMappedSegments: 4)
        defer { test.close() }
        var inputs: [RecordInput] = []
        func append(_ batches: Int) throws {
            for batch in 0..<batches {
                let records = (0..<(batch % 5 + 1)).map { sampleRecord(inputs.count + $0, valueBytes: 40 + batch % 7) }
                try test.log.append(records)
                inputs += records
            }
        }
        try append(40)
        var generator = SystemRandomNumberGenerator()
        var offset: Int64 = 0
        for step in 0..<600 {
            if step % 50 == 0 { try append(3) }
            switch step % 4 {
            case 0: offset = Int64.random(in: 0..<Int64(inputs.count), using: &generator)
            case 1: offset = max(0, offset - Int64.random(in: 1...7, using: &generator))
            default: offset = min(Int64(inputs.count - 1), offset + 1)
            }
            let count = Int.random(in: 1...3, using: &generator)
            let records = try test.log.read(from: offset, maxRecords: count).records
            #expect(records.count == min(count, inputs.count - Int(offset)))
            for (index, record) in records.enumerated() {
                #expect(record.offset == offset + Int64(index) && matches(record, inputs[Int(offset) + index]))
            }
        }
        #expect(test.log.segmentCount > 3)
    }

    @Test func offsetAtOrAfterTimestamp_FindsFirstMatch_AcrossSegments() throws {
        let configuration = LogConfiguration(segmentBytes: 2048, indexIntervalBytes: 256, flushPolicy: .never)
        let test = try TestLog.make(configuration)
        defer { test.close() }
        // Timestamps mostly increase with some going back: 0, 10, 20, ... with every 7th record at 5.
        var timestamps: [Int64] = []
        for number in 0..<200 {
            let timestamp: Int64 = number % 7 == 6 ? 5 : Int64(number * 10)
            timestamps.append(timestamp)
            try test.log.append([sampleRecord(number, valueBytes: 30, timestamp: timestamp)])
        }
        for target in stride(from: Int64(-10), through: 2010, by: 3) {
            let expected = timestamps.firstIndex { $0 >= target }.map(Int64.init) ?? 200
            #expect(try test.log.offset(atOrAfterTimestamp: target) == expected, "timestamp \(target)")
        }
        let reopened = try test.reopen()
        defer { reopened.close() }
        for target: Int64 in [0, 6, 995, 1500, 1991, 5000] {
            let expected = timestamps.firstIndex { $0 >= target }.map(Int64.init) ?? 200
            #expect(try reopened.log.offset(atOrAfterTimestamp: target) == expected)
        }
    }
}
