import FerryLog
import FerrySystem
import FerryTesting
import Testing

/// The active segment's `.index` and `.timeindex` files: on disk from creation, current after every append,
/// final when rolled or closed, and read (never trusted blindly) by recovery after a crash.
struct ActiveIndexTests {
    /// Appends `count` single-record batches (record n = `sampleRecord(first + n)`) and returns the inputs.
    private func fill(_ log: PartitionLog, from first: Int = 0, count: Int, valueBytes: Int = 100) throws
        -> [RecordInput]
    {
        let inputs = (first..<(first + count)).map { sampleRecord($0, valueBytes: valueBytes) }
        for input in inputs { try log.append([input]) }
        return inputs
    }

    /// Every file of a partition directory, as a crash leaves them (the page cache is what a restart reads).
    private func image(of directory: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in try FileSystem.contentsOfDirectory(directory) {
            files[name] = try fileBytes(directory + "/" + name)
        }
        return files
    }

    /// Writes `files` into a new partition directory `p0` of a fresh temporary directory.
    private func restore(_ files: [String: [UInt8]]) throws -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        try FileSystem.createDirectories(directory.path + "/p0")
        for (name, bytes) in files { try writeFile(directory.path + "/p0/" + name, bytes) }
        return directory
    }

    /// Checks that the log holds exactly `inputs` (offset n = inputs[n]) and finds records by offset and time.
    private func expectReadable(_ log: PartitionLog, _ inputs: [RecordInput], _ comment: Comment) throws {
        #expect(log.nextOffset == Int64(inputs.count), comment)
        let records = try readAll(log)
        #expect(records.count == inputs.count && zip(records, inputs).allSatisfy { matches($0, $1) }, comment)
        for offset in [0, 1, inputs.count / 3, inputs.count / 2, inputs.count - 2, inputs.count - 1] where offset >= 0 {
            let record = try log.read(from: Int64(offset), maxRecords: 1).records.first
            #expect(
                record.map { $0.offset == Int64(offset) && matches($0, inputs[offset]) } == true,
                "\(comment): read from \(offset)")
            #expect(
                try log.offset(atOrAfterTimestamp: inputs[offset].timestamp) == Int64(offset),
                "\(comment): lookup of record \(offset)'s timestamp")
        }
    }

    @Test func activeIndexFiles_ExistFromCreation_AndHoldAnEntryForEveryIntervalAppended() throws {
        let test = try TestLog.make(LogConfiguration(indexIntervalBytes: 256, flushPolicy: .never))
        defer { test.close() }
        let index = segmentPath(test.partitionPath, 0, ".index")
        let timeIndex = segmentPath(test.partitionPath, 0, ".timeindex")
        #expect(try FileSystem.fileSize(index) != nil && FileSystem.fileSize(timeIndex) != nil)
        _ = try fill(test.log, count: 200)
        // Read while the log is open, as a crash would leave the files.
        let offsets = try offsetIndexEntries(index)
        let times = try timeIndexEntries(timeIndex)
        let batches = try batchStarts(segmentPath(test.partitionPath, 0, ".log"))
        #expect(batches.count == 200)
        #expect(offsets.count >= 200 / 2 - 1, "one entry per ~256 bytes of ~200-byte batches")
        for (entry, next) in zip(offsets, offsets.dropFirst()) {
            #expect(entry.relativeOffset < next.relativeOffset && entry.position < next.position)
        }
        for entry in offsets { #expect(batches[entry.position] == Int64(entry.relativeOffset)) }
        // Timestamps grow with the offsets here, so every offset entry has a time entry: the largest timestamp
        // of the records before it (record n has timestamp base + n).
        #expect(times.count == offsets.count)
        for (time, entry) in zip(times, offsets) {
            #expect(time.relativeOffset == entry.relativeOffset)
            #expect(time.timestamp == sampleRecord(Int(entry.relativeOffset) - 1).timestamp)
        }
    }

    @Test func rollAndClose_LeaveFinalIndexFiles_ThatRetentionDeletesWithTheirSegment() throws {
        var configuration = LogConfiguration(segmentBytes: 4096, indexIntervalBytes: 256, flushPolicy: .never)
        let test = try TestLog.make(configuration)
        _ = try fill(test.log, count: 120)
        let bases = test.log.segmentBaseOffsets
        #expect(bases.count >= 4)
        // Closed segments: exactly their entries, no preallocated tail (the format closed segments always had).
        for base in bases.dropLast() {
            let offsets = try offsetIndexEntries(segmentPath(test.partitionPath, base, ".index"))
            let times = try timeIndexEntries(segmentPath(test.partitionPath, base, ".timeindex"))
            #expect(!offsets.isEmpty)
            #expect(try FileSystem.fileSize(segmentPath(test.partitionPath, base, ".index")) == offsets.count * 8)
            #expect(try FileSystem.fileSize(segmentPath(test.partitionPath, base, ".timeindex")) == times.count * 12)
        }
        let active = try #require(bases.last)
        #expect(try FileSystem.fileSize(segmentPath(test.partitionPath, active, ".index")) != nil)
        #expect(try FileSystem.fileSize(segmentPath(test.partitionPath, active, ".timeindex")) != nil)
        configuration.retentionBytes = 0
        try test.log.updateConfiguration(configuration)
        let report = try test.log.enforceRetention(nowMilliseconds: 0)
        #expect(report.deletedSegments == bases.count - 1)
        for base in bases.dropLast() {
            for suffix in [".log", ".index", ".timeindex"] {
                #expect(
                    try FileSystem.fileSize(segmentPath(test.partitionPath, base, suffix)) == nil, "\(base)\(suffix)")
            }
        }
        test.close()
        // Closing makes the active segment's files final too.
        let offsets = try offsetIndexEntries(segmentPath(test.partitionPath, active, ".index"))
        #expect(try FileSystem.fileSize(segmentPath(test.partitionPath, active, ".index")) == offsets.count * 8)
    }

    @Test func recovery_ResumesFromTheActiveIndex_InsteadOfScanningTheSegment_AfterACrash() throws {
        let configuration = LogConfiguration(indexIntervalBytes: 4096, flushPolicy: .never)
        let test = try TestLog.make(configuration)
        defer { test.environment.shutdown() }  // the "crashed" log is never closed
        var inputs = try fill(test.log, count: 8000, valueBytes: 200)  // ~2 MiB in the active segment
        let size = Int(test.log.sizeInBytes)
        let crashed = try restore(try image(of: test.partitionPath))
        let first = try TestLog.make(configuration, directory: crashed)
        let report = first.log.recoveryReport
        #expect(report.validBytes == size)
        #expect(!report.rebuiltIndex)
        #expect(report.droppedIndexEntries == 0)
        #expect(
            report.scannedBytes > 0 && report.scannedBytes <= 4096 + 400, "scanned \(report.scannedBytes) of \(size)")
        try expectReadable(first.log, inputs, "after the first crash")
        // Appends after recovery extend the same files: a second crash finds them current again.
        inputs += try fill(first.log, from: inputs.count, count: 3000, valueBytes: 200)
        let second = try TestLog.make(configuration, directory: try restore(try image(of: first.partitionPath)))
        defer { second.close() }
        first.environment.shutdown()
        #expect(!second.log.recoveryReport.rebuiltIndex)
        #expect(second.log.recoveryReport.scannedBytes <= 4096 + 400)
        try expectReadable(second.log, inputs, "after the second crash")
    }

    /// Ways the active index can be wrong after a crash, a power loss or a damaged disk.
    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case garbage, truncatedMidEntry, entriesPastTheLog, notIncreasing, positionsOffByOne, timeIndexGarbage, missing
        var testDescription: String { rawValue }
    }

    @Test(arguments: Damage.allCases)
    func recovery_DetectsDamagedActiveIndex_RebuildsIt_AndFindsEveryRecord(damage: Damage) throws {
        let configuration = LogConfiguration(indexIntervalBytes: 512, flushPolicy: .never)
        let test = try TestLog.make(configuration)
        var inputs = try fill(test.log, count: 400, valueBytes: 150)
        var files = try image(of: test.partitionPath)
        test.close()
        let log = "00000000000000000000.log"
        let index = "00000000000000000000.index"
        let timeIndex = "00000000000000000000.timeindex"
        var offsets = try #require(files[index])
        // Entries actually written (the rest of the file is zeroed preallocated space).
        let entries = try offsetIndexEntries(test.partitionPath + "/" + index).count
        #expect(entries > 20)
        var generator = SystemRandomNumberGenerator()
        switch damage {
        case .garbage:
            files[index] = offsets.map { _ in UInt8.random(in: 1...255, using: &generator) }
        case .truncatedMidEntry:
            files[index] = Array(offsets.prefix(entries * 8 / 2 - 3))
        case .entriesPastTheLog:
            // The log lost its second half (cut inside a batch); the index still names batches there.
            let logBytes = try #require(files[log])
            let cut = Int(test.log.sizeInBytes) / 2 + 17
            files[log] = Array(logBytes.prefix(cut))
            // Batch n ends where batch n + 1 starts; the batch holding the cut is torn.
            let ends =
                try batchStarts(segmentPath(test.partitionPath, 0, ".log")).keys.sorted().dropFirst().map { Int($0) }
                + [Int(test.log.sizeInBytes)]
            inputs = Array(inputs.prefix(ends.filter { $0 <= cut }.count))
        case .notIncreasing:
            for byte in 0..<8 { offsets.swapAt((entries / 2) * 8 + byte, (entries / 2 + 1) * 8 + byte) }
            files[index] = offsets
        case .positionsOffByOne:
            for at in stride(from: 4, to: entries * 8, by: 8) { offsets[at] &+= 1 }
            files[index] = offsets
        case .timeIndexGarbage:
            files[timeIndex] = (try #require(files[timeIndex])).map { _ in UInt8.random(in: 1...255, using: &generator)
            }
        case .missing:
            files[index] = nil
            files[timeIndex] = nil
        }
        let directory = try restore(files)
        let recovered = try TestLog.make(configuration, directory: directory)
        let report = recovered.log.recoveryReport
        #expect(report.droppedIndexEntries > 0 || report.rebuiltIndex, "the damage went unnoticed")
        try expectReadable(recovered.log, inputs, "\(damage)")
        // The repaired files are on disk: the next crash resumes from them.
        inputs += try fill(recovered.log, from: inputs.count, count: 50, valueBytes: 150)
        let again = try TestLog.make(configuration, directory: try restore(try image(of: recovered.partitionPath)))
        defer { again.close() }
        recovered.close()
        #expect(!again.log.recoveryReport.rebuiltIndex && again.log.recoveryReport.droppedIndexEntries == 0)
        #expect(again.log.recoveryReport.scannedBytes <= 512 + 400)
        try expectReadable(again.log, inputs, "\(damage), after a second crash")
    }

    @Test func partitionsAddedToATopic_GetActiveIndexFiles_AndTopicDeletionRemovesThem() throws {
        let directory = TemporaryDirectory()
        let manager = try LogManager(dataDirectory: directory.path)
        defer { manager.shutdown() }
        try manager.createTopic("grow", partitions: 1, configuration: LogConfiguration(flushPolicy: .never))
        try manager.addPartitions(topic: "grow", count: 3)
        for partition in 0..<3 {
            let path = directory.path + "/topics/grow/\(partition)"
            #expect(try FileSystem.fileSize(segmentPath(path, 0, ".index")) != nil)
            #expect(try FileSystem.fileSize(segmentPath(path, 0, ".timeindex")) != nil)
        }
        try manager.deleteTopic("grow")
        #expect(!FileSystem.isDirectory(directory.path + "/topics/grow"))
    }
}
