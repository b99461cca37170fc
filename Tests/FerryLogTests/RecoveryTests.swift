import FerryLog
import FerrySystem
import Testing

struct RecoveryTests {
    /// Writes `count` single-record batches and returns the inputs.
    private func fill(_ log: PartitionLog, count: Int, valueBytes: Int = 60) throws -> [RecordInput] {
        let inputs = (0..<count).map { sampleRecord($0, valueBytes: valueBytes) }
        for input in inputs { try log.append([input]) }
        return inputs
    }

    @Test func recovery_KeepsExactlyTheValidPrefix_WhenTailTruncatedAtEveryByte() throws {
        let configuration = LogConfiguration(indexIntervalBytes: 200, flushPolicy: .never)
        let test = try TestLog.make(configuration)
        let inputs = try fill(test.log, count: 12)
        let path = segmentPath(test.partitionPath, 0, ".log")
        test.close()
        let full = try fileBytes(path)
        let indexBytes = try fileBytes(segmentPath(test.partitionPath, 0, ".index"))
        let timeBytes = try fileBytes(segmentPath(test.partitionPath, 0, ".timeindex"))
        #expect(!indexBytes.isEmpty)  // recovery starts from the last index entry, not from 0
        // Walk the batch lengths to find where the last batch (record 11) starts.
        var lastStart = 0
        var position = 0
        while position < full.count {
            lastStart = position
            position += Int(
                UInt32(full[position]) | UInt32(full[position + 1]) << 8 | UInt32(full[position + 2]) << 16
                    | UInt32(full[position + 3]) << 24)
        }
        for cut in lastStart..<full.count {
            try writeFile(path, Array(full[..<cut]))
            try writeFile(segmentPath(test.partitionPath, 0, ".index"), indexBytes)
            try writeFile(segmentPath(test.partitionPath, 0, ".timeindex"), timeBytes)
            let reopened = try test.reopenAfterCrash()
            #expect(reopened.log.nextOffset == 11, "cut at \(cut)")
            #expect(reopened.log.recoveryReport.validBytes == lastStart)
            #expect(reopened.log.recoveryReport.truncatedBytes <= cut - lastStart)
            let records = try readAll(reopened.log)
            #expect(records.count == 11)
            #expect(zip(records, inputs).allSatisfy { matches($0, $1) })
            // The log accepts appends again right after the valid prefix.
            try reopened.log.append([inputs[11]])
            #expect(try reopened.log.read(from: 11).records.first.map { matches($0, inputs[11]) } == true)
            reopened.close()
        }
    }

    @Test func recovery_TruncatesGarbage_AfterLastRecord() throws {
        let test = try TestLog.make()
        let inputs = try fill(test.log, count: 20)
        test.close()
        let path = segmentPath(test.partitionPath, 0, ".log")
        var bytes = try fileBytes(path)
        let valid = bytes.count
        var generator = SystemRandomNumberGenerator()
        bytes += (0..<777).map { _ in UInt8.random(in: 1...255, using: &generator) }
        try writeFile(path, bytes)
        let reopened = try test.reopenAfterCrash()
        defer { reopened.close() }
        #expect(reopened.log.recoveryReport.truncatedBytes == 777)
        #expect(reopened.log.recoveryReport.validBytes == valid)
        let records = try readAll(reopened.log)
        #expect(records.count == 20 && zip(records, inputs).allSatisfy { matches($0, $1) })
    }

    @Test func recovery_KeepsZeroedPreallocation_ButCutsATailWithAnyNonZeroByte() throws {
        let test = try TestLog.make()
        defer { test.environment.shutdown() }  // the "crashed" log is never closed
        let inputs = try fill(test.log, count: 30)
        let path = segmentPath(test.partitionPath, 0, ".log")
        let valid = Int(test.log.sizeInBytes)
        let preallocated = try #require(try FileSystem.fileSize(path))
        #expect(preallocated > valid)
        // A crash leaves the preallocated zeroes: recovery keeps them for the next appends.
        let first = try test.reopenAfterCrash()
        #expect(first.log.recoveryReport.validBytes == valid && first.log.recoveryReport.truncatedBytes == 0)
        #expect(try FileSystem.fileSize(path) == preallocated)
        let more = (30..<40).map { sampleRecord($0, valueBytes: 60) }
        for input in more { try first.log.append([input]) }
        let records = try readAll(first.log)
        #expect(records.count == 40 && zip(records, inputs + more).allSatisfy { matches($0, $1) })
        first.environment.shutdown()
        // One stray byte at the very end: the whole tail goes (a stale batch must never follow new ones).
        var bytes = try fileBytes(path)
        let end = Int(first.log.sizeInBytes)
        bytes[bytes.count - 1] = 7
        try writeFile(path, bytes)
        let second = try first.reopenAfterCrash()
        defer { second.close() }
        #expect(second.log.recoveryReport.truncatedBytes == bytes.count - end)
        #expect(try FileSystem.fileSize(path) == end)
        #expect(try readAll(second.log).count == 40)
    }

    @Test func recovery_DropsBatchWithFlippedBit_AndEverythingAfterIt() throws {
        let configuration = LogConfiguration(indexIntervalBytes: 1 << 20, flushPolicy: .never)  // no index entries
        let test = try TestLog.make(configuration)
        let inputs = try fill(test.log, count: 10)
        let perBatch = Int(test.log.sizeInBytes) / 10
        test.close()
        let path = segmentPath(test.partitionPath, 0, ".log")
        let original = try fileBytes(path)
        for (batch, byteInBatch) in [(7, 45), (0, 3), (9, perBatch - 1), (4, 12)] {
            var bytes = original
            bytes[batch * perBatch + byteInBatch] ^= 0x10
            try writeFile(path, bytes)
            try? FileSystem.removeFile(segmentPath(test.partitionPath, 0, ".index"))
            let reopened = try test.reopenAfterCrash()
            #expect(reopened.log.nextOffset == Int64(batch))
            let records = try readAll(reopened.log)
            #expect(records.count == batch && zip(records, inputs).allSatisfy { matches($0, $1) })
            reopened.close()
        }
    }

    @Test func read_NeverReturnsCorruptRecord_BeforeLastIndexEntry() throws {
        let configuration = LogConfiguration(indexIntervalBytes: 100, flushPolicy: .never)
        let test = try TestLog.make(configuration)
        let inputs = try fill(test.log, count: 10)
        let perBatch = Int(test.log.sizeInBytes) / 10
        test.close()
        let path = segmentPath(test.partitionPath, 0, ".log")
        var bytes = try fileBytes(path)
        bytes[2 * perBatch + 50] ^= 0x01  // batch 2, well before the last index entry
        try writeFile(path, bytes)
        let reopened = try test.reopenAfterCrash()
        defer { reopened.close() }
        #expect(try reopened.log.read(from: 0, maxRecords: 10).records.count == 2)
        #expect(throws: LogError.corruptBatch(segmentBaseOffset: 0, position: 2 * perBatch)) {
            try reopened.log.read(from: 2)
        }
        let later = try reopened.log.read(from: 3, maxRecords: 100).records
        #expect(later.count == 7 && zip(later, inputs[3...]).allSatisfy { matches($0, $1) })
    }

    @Test func recovery_RebuildsDeletedIndex_ForActiveAndClosedSegments() throws {
        let configuration = LogConfiguration(segmentBytes: 2048, indexIntervalBytes: 128, flushPolicy: .never)
        let test = try TestLog.make(configuration)
        let inputs = try fill(test.log, count: 80)
        let bases = test.log.segmentBaseOffsets
        #expect(bases.count >= 3)
        test.close()
        for base in bases {
            try FileSystem.removeFile(segmentPath(test.partitionPath, base, ".index"))
            try FileSystem.removeFile(segmentPath(test.partitionPath, base, ".timeindex"))
        }
        let reopened = try test.reopenAfterCrash()
        #expect(reopened.log.recoveryReport.rebuiltIndex)
        for offset in [0, 1, 17, 40, 63, 79] {
            let record = try reopened.log.read(from: Int64(offset), maxRecords: 1).records.first
            #expect(record.map { $0.offset == Int64(offset) && matches($0, inputs[offset]) } == true)
        }
        #expect(try reopened.log.offset(atOrAfterTimestamp: inputs[33].timestamp) == 33)
        reopened.close()
        // The closed segments' index files were written again when first read.
        #expect(try FileSystem.fileSize(segmentPath(test.partitionPath, bases[0], ".index")) != nil)
    }

    @Test func recovery_KeepsEverything_AfterCleanClose() throws {
        let configuration = LogConfiguration(segmentBytes: 4096, flushPolicy: .interval(milliseconds: 5))
        let test = try TestLog.make(configuration)
        let inputs = try fill(test.log, count: 150)
        let reopened = try test.reopen()
        defer { reopened.close() }
        #expect(reopened.log.recoveryReport.truncatedBytes == 0)
        #expect(reopened.log.flushedOffset == 150)
        let records = try readAll(reopened.log)
        #expect(records.count == 150 && zip(records, inputs).allSatisfy { matches($0, $1) })
    }
}
