import FerryLog
import FerrySystem
import FerryTesting
import Testing

struct RetentionTests {
    /// A log with several closed segments; record `n` has timestamp `base + n * 1000`.
    private func makeLog(_ configuration: LogConfiguration, clock: ManualClock = ManualClock()) throws -> (
        TestLog, [RecordInput]
    ) {
        let test = try TestLog.make(configuration, clock: clock)
        var inputs: [RecordInput] = []
        for number in 0..<60 {
            let input = sampleRecord(number, valueBytes: 200, timestamp: 1_000_000 + Int64(number) * 1000)
            try test.log.append([input])
            inputs.append(input)
        }
        return (test, inputs)
    }

    @Test func retentionByTime_DeletesOnlyExpiredClosedSegments_WhileReaderKeepsOldRecords() throws {
        var configuration = LogConfiguration(segmentBytes: 2048, flushPolicy: .never)
        configuration.retentionMilliseconds = 20_000
        let (test, inputs) = try makeLog(configuration)
        defer { test.close() }
        let bases = test.log.segmentBaseOffsets
        #expect(bases.count >= 5)
        let held = try test.log.read(from: 0, maxRecords: 5).records  // a reader holding the oldest segment
        // 20 s after the first record nothing has expired yet.
        #expect(try test.log.enforceRetention(nowMilliseconds: 1_000_000 + 20_000).deletedSegments == 0)
        // At "now" = record 40's time + 20 s, segments whose newest record is older than record 40 go.
        let now: Int64 = 1_000_000 + 40_000 + 20_000
        let report = try test.log.enforceRetention(nowMilliseconds: now)
        let expectedStart = bases.last { $0 <= 40 } ?? 0
        #expect(report.logStartOffset == expectedStart)
        #expect(test.log.logStartOffset == expectedStart)
        #expect(report.deletedSegments == bases.firstIndex(of: expectedStart))
        #expect(throws: LogError.offsetOutOfRange(requested: 0, logStartOffset: expectedStart, nextOffset: 60)) {
            try test.log.read(from: 0)
        }
        #expect(!(try FileSystem.fileSize(segmentPath(test.partitionPath, 0, ".log")) != nil))
        // The held records are still readable: their mapping outlives the deleted files.
        #expect(zip(held, inputs).allSatisfy { matches($0, $1) })
        // Far in the future everything but the active segment goes.
        try test.log.enforceRetention(nowMilliseconds: now + 10_000_000)
        #expect(test.log.segmentCount == 1)
        #expect(test.log.logStartOffset == bases.last)
        let remaining = try readAll(test.log)
        #expect(remaining.first?.offset == bases.last && remaining.last?.offset == 59)
    }

    @Test func deleteSegmentsBefore_DeletesOnlySegmentsWhollyBelowTheOffset() throws {
        var configuration = LogConfiguration(segmentBytes: 2048, flushPolicy: .never)
        configuration.retentionMilliseconds = -1
        let (test, _) = try makeLog(configuration)
        defer { test.close() }
        let bases = test.log.segmentBaseOffsets
        #expect(bases.count >= 4)
        // An offset inside the third segment keeps it: only the first two lie wholly below.
        let report = try test.log.deleteSegments(before: bases[2] + 1)
        #expect(report.deletedSegments == 2)
        #expect(test.log.logStartOffset == bases[2])
        #expect(try readAll(test.log).first?.offset == bases[2])
        // Past the end: every closed segment goes, never the active one.
        try test.log.deleteSegments(before: Int64.max)
        #expect(test.log.segmentCount == 1 && test.log.logStartOffset == bases.last)
    }

    @Test func retentionBySize_KeepsAtLeastTheLimit_AndNeverTheActiveSegment() throws {
        var configuration = LogConfiguration(segmentBytes: 2048, flushPolicy: .never)
        configuration.retentionMilliseconds = -1
        configuration.retentionBytes = 5000
        let (test, _) = try makeLog(configuration)
        defer { test.close() }
        let before = test.log.sizeInBytes
        let held = try test.log.read(from: 0, maxRecords: 1).records
        let report = try test.log.enforceRetention(nowMilliseconds: Int64.max / 2)
        #expect(report.deletedSegments > 0)
        #expect(test.log.sizeInBytes == before - report.deletedBytes)
        #expect(test.log.sizeInBytes >= 5000)
        // Deleting one more segment would have gone below the limit.
        #expect(test.log.sizeInBytes - 2048 < 5000)
        #expect(held.first.map { matches($0, sampleRecord(0, valueBytes: 200, timestamp: 1_000_000)) } == true)
        var tiny = configuration
        tiny.retentionBytes = 0
        try test.log.updateConfiguration(tiny)
        try test.log.enforceRetention(nowMilliseconds: 0)
        #expect(test.log.segmentCount == 1)
    }

    @Test func retention_SurvivesReopen_WithLazilyComputedTimestamps() throws {
        var configuration = LogConfiguration(segmentBytes: 2048, flushPolicy: .never)
        configuration.retentionMilliseconds = 20_000
        let (test, _) = try makeLog(configuration)
        let bases = test.log.segmentBaseOffsets
        let reopened = try test.reopen()
        defer { reopened.close() }
        let report = try reopened.log.enforceRetention(nowMilliseconds: 1_000_000 + 40_000 + 20_000)
        #expect(reopened.log.logStartOffset == (bases.last { $0 <= 40 } ?? 0))
        #expect(report.deletedSegments > 0)
    }

    @Test func segmentMilliseconds_RollsByAge_UsingTheInjectedClock() throws {
        let clock = ManualClock()
        var configuration = LogConfiguration(flushPolicy: .never)
        configuration.segmentMilliseconds = 60_000
        let test = try TestLog.make(configuration, clock: clock)
        defer { test.close() }
        try test.log.append([sampleRecord(0)])
        clock.advance(by: 59_999)
        try test.log.append([sampleRecord(1)])
        #expect(test.log.segmentCount == 1)
        clock.advance(by: 1)
        try test.log.append([sampleRecord(2)])
        #expect(test.log.segmentBaseOffsets == [0, 2])
    }
}
