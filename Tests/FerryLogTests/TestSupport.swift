import FerryLog
import FerrySystem
import FerryTesting
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A test log in its own directory with its own environment, torn down by `close()`.
struct TestLog {
    let directory: TemporaryDirectory
    let environment: LogEnvironment
    let log: PartitionLog

    static func make(
        _ configuration: LogConfiguration = LogConfiguration(flushPolicy: .never),
        directory: TemporaryDirectory = TemporaryDirectory(),
        clock: ManualClock = ManualClock(), maxMappedSegments: Int = 64,
        // Loops sync inline however slow the disk is: a loaded machine (syncs averaging over the production
        // limit of 1 ms) would otherwise send the end-of-turn tests' rounds to the flusher thread. The
        // slow-disk path is tested with 0.
        inlineSyncLimitNanoseconds: UInt64 = 60_000_000_000,
        initializesAhead: Bool = true
    ) throws -> TestLog {
        let environment = LogEnvironment(
            maxMappedSegments: maxMappedSegments, flusherThreads: 1,
            inlineSyncLimitNanoseconds: inlineSyncLimitNanoseconds, initializesAhead: initializesAhead,
            clock: clock.now)
        let log = try PartitionLog.open(
            directory: directory.path + "/p0", configuration: configuration, environment: environment)
        return TestLog(directory: directory, environment: environment, log: log)
    }

    /// Closes and reopens the same directory (a clean restart).
    func reopen(_ configuration: LogConfiguration? = nil) throws -> TestLog {
        let configuration = configuration ?? log.configuration
        close()
        return try TestLog.make(configuration, directory: directory, maxMappedSegments: environment.cache.capacity)
    }

    /// Opens the directory again without closing the current log first (what a crash leaves behind).
    func reopenAfterCrash(_ configuration: LogConfiguration? = nil) throws -> TestLog {
        try TestLog.make(
            configuration ?? log.configuration, directory: directory,
            maxMappedSegments: environment.cache.capacity)
    }

    var partitionPath: String { directory.path + "/p0" }

    func close() {
        log.close()
        environment.shutdown()
    }
}

/// Deterministic record content derived from a number.
func sampleRecord(_ number: Int, valueBytes: Int = 100, timestamp: Int64? = nil) -> RecordInput {
    var value = [UInt8](repeating: 0, count: valueBytes)
    var state = UInt64(truncatingIfNeeded: number) &* 0x9E37_79B9_7F4A_7C15 | 1
    for index in value.indices {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        value[index] = UInt8(truncatingIfNeeded: state)
    }
    return RecordInput(
        key: Array("key-\(number)".utf8), value: value,
        headers: [RecordHeader(name: "n", value: "\(number)")],
        timestamp: timestamp ?? 1_700_000_000_000 + Int64(number))
}

/// Whether a read record equals what `sampleRecord(number)` wrote.
func matches(_ record: ReadRecord, _ input: RecordInput) -> Bool {
    record.key?.array == input.key && record.value?.array == input.value && record.timestamp == input.timestamp
        && record.recordHeaders == input.headers
}

/// Reads the whole log from its start.
func readAll(_ log: PartitionLog) throws -> [ReadRecord] {
    var result: [ReadRecord] = []
    var offset = log.logStartOffset
    for _ in 0..<1_000_000 {
        let batch = try log.read(from: offset, maxRecords: 500)
        if batch.records.isEmpty { break }
        result += batch.records
        offset = batch.nextOffset
    }
    return result
}

/// The files of a segment.
func segmentPath(_ directory: String, _ base: Int64, _ suffix: String) -> String {
    let digits = String(base)
    return directory + "/" + String(repeating: "0", count: 20 - digits.count) + digits + suffix
}

func fileBytes(_ path: String) throws -> [UInt8] { try FileSystem.readFile(path) ?? [] }

func writeFile(_ path: String, _ bytes: [UInt8]) throws { try FileSystem.writeAtomically(path, bytes, durable: false) }
