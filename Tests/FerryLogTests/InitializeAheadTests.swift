import FerrySystem
import Synchronization
import Testing

@testable import FerryLog

#if canImport(Glibc)
    import Glibc
#endif

/// Zeros written ahead of an `always` partition's writer (``SegmentInitializer``): the writer and the
/// initializer share the active segment, so every test checks that each record reads back intact, before and
/// after a restart.
struct InitializeAheadTests {
    /// Appends `count` records numbered from `first` in batches of `batch` from `threads` threads at once.
    private func appendConcurrently(_ log: PartitionLog, first: Int = 0, count: Int, batch: Int, threads: Int) {
        let next = Atomic<Int>(first)
        let done = ConditionLock(0)
        for _ in 0..<threads {
            SystemThread.detached(name: "test-append") {
                while true {
                    let start = next.wrappingAdd(batch, ordering: .relaxed).oldValue
                    if start >= first + count { break }
                    let records = (start..<min(start + batch, first + count)).map { sampleRecord($0) }
                    _ = try? log.append(records)
                }
                done.withLockThenSignal { $0 += 1 }
            }
        }
        done.wait(deadline: { _ in nil }) { $0 == threads ? () : nil }
    }

    /// Every record `0..<count` exactly once, each as written (records are matched by the number in their key).
    private func expectAll(_ log: PartitionLog, count: Int) throws {
        let records = try readAll(log)
        #expect(records.count == count)
        var seen = Set<Int>()
        for record in records {
            let key = String(decoding: record.key?.array ?? [], as: UTF8.self)
            guard let number = Int(key.dropFirst(4)), seen.insert(number).inserted else {
                Issue.record("unexpected or repeated key \(key)")
                return
            }
            #expect(matches(record, sampleRecord(number)))
        }
        #expect(seen == Set(0..<count))
    }

    @Test func alwaysPolicy_WritesZerosAhead_AndEveryRecordSurvivesARestart() throws {
        var configuration = LogConfiguration(flushPolicy: .always)
        configuration.preallocationBytes = 64 * 1024
        var test = try TestLog.make(configuration)
        appendConcurrently(test.log, count: 6000, batch: 5, threads: 4)
        #expect(test.log.initializedBytes > 0)
        try expectAll(test.log, count: 6000)
        test = try test.reopen()
        defer { test.close() }
        try expectAll(test.log, count: 6000)
        // The restart trimmed the zeros past the data: the segment file is exactly its records.
        let size = try FileSystem.fileSize(segmentPath(test.partitionPath, 0, ".log"))
        #expect(size == Int(test.log.sizeInBytes))
    }

    @Test func rollsDuringInitialization_LoseNothing() throws {
        var configuration = LogConfiguration(flushPolicy: .always)
        configuration.segmentBytes = 96 * 1024
        configuration.preallocationBytes = 32 * 1024
        var test = try TestLog.make(configuration)
        appendConcurrently(test.log, count: 8000, batch: 3, threads: 3)
        #expect(test.log.segmentCount > 10)
        #expect(test.log.initializedBytes > 0)
        try expectAll(test.log, count: 8000)
        test = try test.reopenAfterCrash()
        defer { test.close() }
        try expectAll(test.log, count: 8000)
    }

    @Test func closeDuringInitialization_StopsItAndTrimsTheSegment() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .always))
        // ~1.3 MiB of records: the next growth asked of the initializer is a whole megabyte or more.
        appendConcurrently(test.log, count: 8000, batch: 100, threads: 1)
        let written = Int(test.log.sizeInBytes)
        test.log.close()
        let path = segmentPath(test.partitionPath, 0, ".log")
        #expect(try FileSystem.fileSize(path) == written)
        test.environment.shutdown()  // waits for the initializer, which must not write past a closed log
        #expect(try FileSystem.fileSize(path) == written)
        let reopened = try TestLog.make(LogConfiguration(flushPolicy: .always), directory: test.directory)
        defer { reopened.close() }
        try expectAll(reopened.log, count: 8000)
    }

    @Test func otherPolicies_AndATurnedOffInitializer_WriteNoZeros() throws {
        for (policy, initializesAhead) in [
            (FlushPolicy.never, true), (.interval(milliseconds: 5), true), (.always, false),
        ] {
            var configuration = LogConfiguration(flushPolicy: policy)
            configuration.preallocationBytes = 16 * 1024
            let test = try TestLog.make(configuration, initializesAhead: initializesAhead)
            defer { test.close() }
            appendConcurrently(test.log, count: 2000, batch: 10, threads: 2)
            #expect(test.log.initializedBytes == 0)
            try expectAll(test.log, count: 2000)
        }
    }
}
