import FerryLog
import FerrySystem
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The child's record content (a copy of Tests/FerryLogCrashChild/CrashRecord.swift: the child is a separate
/// executable, so the test cannot import it).
private enum CrashRecord {
    static func value(_ sequence: Int) -> [UInt8] {
        let length = 20 + (sequence * 37) % 300
        return (0..<length).map { UInt8(truncatingIfNeeded: sequence &* 31 &+ $0 &* 7) }
    }
}

/// A running FerryLogCrashChild with its stdout.
private struct ChildProcess {
    let pid: pid_t
    let output: Int32
    var buffer: [UInt8] = []

    /// The child binary: built with the tests, in the same directory as the test bundle.
    static var executablePath: String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes {
            readlink("/proc/self/exe", $0.baseAddress!.assumingMemoryBound(to: CChar.self), 4095)
        }
        let executable = String(decoding: buffer[..<max(0, count)], as: UTF8.self)
        return FileSystem.parentDirectory(of: executable) + "/FerryLogCrashChild"
    }

    static func spawn(_ arguments: [String]) throws -> ChildProcess {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw SystemError(errno: errno, call: "pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        let path = executablePath
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, path, &actions, nil, argv, environ)
        close(pipeFDs[1])
        guard code == 0 else {
            close(pipeFDs[0])
            throw SystemError(errno: code, call: "posix_spawn \(path)")
        }
        return ChildProcess(pid: pid, output: pipeFDs[0])
    }

    /// The next complete line, or nil at end of output.
    mutating func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeFirst(newline + 1)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress!, $0.count) }
            if count <= 0 { return nil }
            buffer += chunk[..<count]
        }
    }

    func kill() {
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        close(output)
    }
}

struct CrashTests {
    @Test("Every batch a SIGKILLed child reported durable is present and intact after recovery")
    func recovery_KeepsEveryDurableRecord_WhenAppenderIsKilled() throws {
        #expect(
            try FileSystem.fileSize(ChildProcess.executablePath) != nil,
            "build the tests with `swift build --build-tests` so that FerryLogCrashChild exists")
        let directory = TemporaryDirectory()
        let partition = directory.path + "/p"
        var durable: [(base: Int64, last: Int64, firstSequence: Int)] = []
        var nextSequence = 0
        var generator = SystemRandomNumberGenerator()
        for round in 0..<4 {
            var child = try ChildProcess.spawn([partition, String(nextSequence), "4"])
            let target = Int.random(in: 20...400, using: &generator)
            var seen = 0
            var started = false
            while seen < target, let line = child.readLine() {
                let fields = line.split(separator: " ")
                if fields.first == "R" {
                    started = true
                } else if fields.first == "D", fields.count == 4, let base = Int64(fields[1]),
                    let last = Int64(fields[2]),
                    let first = Int(fields[3])
                {
                    durable.append((base, last, first))
                    seen += 1
                } else {
                    Issue.record("child said: \(line)")
                    break
                }
            }
            usleep(UInt32.random(in: 0...3000, using: &generator))
            child.kill()
            #expect(started && seen == target, "round \(round): child stopped early after \(seen) batches")
            nextSequence += 10_000_000
            // Reopen: recovery must keep every reported batch intact, and every record found must be whole.
            let environment = LogEnvironment(maxMappedSegments: 8, flusherThreads: 1)
            defer { environment.shutdown() }
            let log = try PartitionLog.open(
                directory: partition,
                configuration: LogConfiguration(
                    segmentBytes: 32 * 1024, indexIntervalBytes: 1024, flushPolicy: .always),
                environment: environment)
            defer { log.close() }
            var byOffset: [Int64: ReadRecord] = [:]
            var offset: Int64 = 0
            for _ in 0..<100_000 {
                let batch = try log.read(from: offset, maxRecords: 1000)
                if batch.records.isEmpty { break }
                for record in batch.records { byOffset[record.offset] = record }
                offset = batch.nextOffset
            }
            #expect(Int64(byOffset.count) == log.nextOffset, "round \(round): offsets are not dense")
            for record in byOffset.values {
                let key = record.key?.string ?? ""
                guard key.hasPrefix("seq-"), let sequence = Int(key.dropFirst(4)) else {
                    Issue.record("record \(record.offset) has key \(key)")
                    continue
                }
                #expect(record.value?.array == CrashRecord.value(sequence), "record \(record.offset)")
            }
            for batch in durable {
                for (index, offset) in (batch.base...batch.last).enumerated() {
                    let record = byOffset[offset]
                    #expect(
                        record?.key?.string == "seq-\(batch.firstSequence + index)",
                        "round \(round): durable record \(offset) missing or wrong")
                }
            }
        }
        #expect(durable.count > 80)
    }

    @Test("After a SIGKILL, recovery reads the large active segment's index files instead of scanning it")
    func recovery_ReadsActiveIndex_WhenAppenderWithLargeActiveSegmentIsKilled() throws {
        let directory = TemporaryDirectory()
        let partition = directory.path + "/p"
        let segmentBytes = 64 << 20
        // `never`: a batch is reported as soon as it is in the mapping, which a process crash cannot lose.
        var child = try ChildProcess.spawn([partition, "0", "4", String(segmentBytes), "never"])
        var acknowledged: [(base: Int64, last: Int64, firstSequence: Int)] = []
        var started = false
        while acknowledged.count < 8000, let line = child.readLine() {
            let fields = line.split(separator: " ")
            if fields.first == "R" {
                started = true
            } else if fields.first == "D", fields.count == 4, let base = Int64(fields[1]), let last = Int64(fields[2]),
                let first = Int(fields[3])
            {
                acknowledged.append((base, last, first))
            } else {
                Issue.record("child said: \(line)")
                break
            }
        }
        child.kill()
        #expect(started && acknowledged.count == 8000)
        let environment = LogEnvironment(maxMappedSegments: 8, flusherThreads: 1)
        defer { environment.shutdown() }
        let log = try PartitionLog.open(
            directory: partition,
            configuration: LogConfiguration(segmentBytes: segmentBytes, indexIntervalBytes: 1024, flushPolicy: .never),
            environment: environment)
        defer { log.close() }
        let report = log.recoveryReport
        #expect(log.segmentCount == 1)
        #expect(report.validBytes > 2 << 20, "the child wrote \(report.validBytes) bytes")
        #expect(!report.rebuiltIndex)
        // A kill between a batch's offset entries and its time entries leaves those entries unmatched: they are
        // dropped (a few at most, one batch's worth), never trusted.
        #expect(report.droppedIndexEntries <= 16, "dropped \(report.droppedIndexEntries) index entries")
        #expect(report.scannedBytes < 64 * 1024, "scanned \(report.scannedBytes) of \(report.validBytes) bytes")
        let records = try readAll(log)
        #expect(Int64(records.count) == log.nextOffset, "offsets are not dense")
        for batch in acknowledged {
            for (index, offset) in (batch.base...batch.last).enumerated() where offset < records.count {
                #expect(records[Int(offset)].key?.string == "seq-\(batch.firstSequence + index)")
                #expect(records[Int(offset)].value?.array == CrashRecord.value(batch.firstSequence + index))
            }
            #expect(batch.last < records.count, "acknowledged record \(batch.last) missing")
        }
        // Lookups by timestamp (record timestamps are sequence numbers, interleaved by the four threads) find
        // the first record in offset order whose timestamp is >= T.
        for target in stride(from: Int64(0), to: Int64(acknowledged.count * 4), by: 997) {
            let expected = records.firstIndex { $0.timestamp >= target }.map { Int64($0) } ?? log.nextOffset
            #expect(try log.offset(atOrAfterTimestamp: target) == expected, "timestamp \(target)")
        }
    }

    @Test("A full disk fails the append with diskFull and leaves nothing half-written")
    func append_ThrowsDiskFull_AndLeavesLogIntact_WhenAllocationFails() throws {
        let directory = TemporaryDirectory()
        let partition = directory.path + "/p"
        // The child runs under RLIMIT_FSIZE = 48 KiB: its allocation fails as on a full disk (EFBIG).
        var child = try ChildProcess.spawn(["--fill", partition, String(48 * 1024)])
        var appended: [(base: Int64, last: Int64, firstSequence: Int)] = []
        var failure: String?
        while let line = child.readLine() {
            let fields = line.split(separator: " ")
            if fields.first == "A", fields.count == 4, let base = Int64(fields[1]), let last = Int64(fields[2]),
                let first = Int(fields[3])
            {
                appended.append((base, last, first))
            } else {
                failure = line
                break
            }
        }
        child.kill()
        #expect(failure == "F \(LogError.diskFull)")
        #expect(appended.count > 10)
        let environment = LogEnvironment(maxMappedSegments: 8, flusherThreads: 1)
        defer { environment.shutdown() }
        let log = try PartitionLog.open(
            directory: partition, configuration: LogConfiguration(flushPolicy: .never),
            environment: environment)
        defer { log.close() }
        #expect(log.recoveryReport.truncatedBytes == 0)
        #expect(log.nextOffset == (appended.last?.last ?? -1) + 1)
        let records = try readAll(log)
        #expect(records.count == Int(log.nextOffset))
        for batch in appended {
            for (index, offset) in (batch.base...batch.last).enumerated() {
                let record = records[Int(offset)]
                #expect(record.key?.string == "seq-\(batch.firstSequence + index)")
                #expect(record.value?.array == CrashRecord.value(batch.firstSequence + index))
            }
        }
    }
}
