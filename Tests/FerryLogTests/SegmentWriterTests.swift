import FerrySystem
import FerryTesting
import Testing

@testable import FerryLog

#if canImport(Glibc)
    import Glibc
#endif

/// `always` partitions append with `pwrite` through a descriptor the active segment keeps (``SegmentWriter``);
/// readers keep reading the mapping. These tests check both views agree and the descriptor's lifetime.
struct SegmentWriterTests {
    /// How many of this process's descriptors are open on `path` (read from `/proc/self/fd`).
    private func descriptors(openOn path: String) throws -> Int {
        var count = 0
        for name in try FileSystem.contentsOfDirectory("/proc/self/fd") {
            var target = [CChar](repeating: 0, count: 4096)
            let length = readlink("/proc/self/fd/\(name)", &target, target.count - 1)
            if length > 0, String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) == path {
                count += 1
            }
        }
        return count
    }

    @Test func alwaysAppends_GoThroughTheFile_AndReadBackThroughTheMappingBeforeAnySync() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .always))
        defer { test.close() }
        let durable = ConditionLock(0)
        // The callback form returns once the batch is stored, before its sync (left to the flusher thread here).
        for number in 0..<50 {
            test.log.append([sampleRecord(number)]) { result in
                if case .success = result { durable.withLockThenSignal { $0 += 1 } }
            }
            let records = try test.log.read(from: Int64(number)).records
            #expect(records.count == 1)
            #expect(records.first.map { matches($0, sampleRecord(number)) } == true)
        }
        #expect(test.log.activeWritesThroughFile)
        #expect(try descriptors(openOn: segmentPath(test.partitionPath, 0, ".log")) == 1)
        durable.wait(deadline: { _ in nil }) { $0 == 50 ? () : nil }
        #expect(test.log.flushedOffset == 50)
    }

    @Test func otherPolicies_CopyIntoTheMapping_AndSwitchingToAlwaysMidSegmentLosesNothing() throws {
        var test = try TestLog.make(LogConfiguration(flushPolicy: .interval(milliseconds: 1000)))
        try test.log.append((0..<20).map { sampleRecord($0) })
        #expect(!test.log.activeWritesThroughFile)
        try test.log.updateConfiguration(LogConfiguration(flushPolicy: .always))
        for number in 20..<40 { try test.log.append([sampleRecord(number)]) }
        #expect(test.log.activeWritesThroughFile)
        try test.log.updateConfiguration(LogConfiguration(flushPolicy: .never))
        try test.log.append((40..<60).map { sampleRecord($0) })
        let records = try readAll(test.log)
        #expect(records.count == 60)
        #expect(zip(records, 0..<60).allSatisfy { matches($0, sampleRecord($1)) })
        test = try test.reopenAfterCrash()
        defer { test.close() }
        // Everything up to the last `always` append was synced; the `never` tail may or may not have been.
        let recovered = try readAll(test.log)
        #expect(recovered.count >= 40)
        #expect(zip(recovered, 0..<recovered.count).allSatisfy { matches($0, sampleRecord($1)) })
    }

    @Test func theDescriptor_IsClosedWhenTheSegmentIsSealedAndWhenTheLogCloses() throws {
        var configuration = LogConfiguration(flushPolicy: .always)
        configuration.segmentBytes = 8 * 1024
        let test = try TestLog.make(configuration)
        var number = 0
        while test.log.segmentCount < 3 {
            try test.log.append([sampleRecord(number)])
            number += 1
        }
        let bases = test.log.segmentBaseOffsets
        for base in bases.dropLast() {
            #expect(try descriptors(openOn: segmentPath(test.partitionPath, base, ".log")) == 0)
        }
        let active = segmentPath(test.partitionPath, bases[bases.count - 1], ".log")
        #expect(try descriptors(openOn: active) == 1)
        #expect(try readAll(test.log).count == number)
        test.close()
        #expect(try descriptors(openOn: active) == 0)
    }

    @Test func beyondTheDescriptorBudget_PartitionsCopyIntoTheirMappings_UntilADescriptorIsGivenBack() throws {
        let directory = TemporaryDirectory()
        let environment = LogEnvironment(maxWriterDescriptors: 1, flusherThreads: 1)
        defer { environment.shutdown() }
        let configuration = LogConfiguration(flushPolicy: .always)
        let first = try PartitionLog.open(
            directory: directory.path + "/p0", configuration: configuration, environment: environment)
        let second = try PartitionLog.open(
            directory: directory.path + "/p1", configuration: configuration, environment: environment)
        for number in 0..<10 {
            try first.append([sampleRecord(number)])
            try second.append([sampleRecord(number)])
        }
        #expect(first.activeWritesThroughFile && !second.activeWritesThroughFile)
        #expect(environment.writerDescriptors.available == 0)
        first.close()
        #expect(environment.writerDescriptors.available == 1)
        for number in 10..<20 { try second.append([sampleRecord(number)]) }
        #expect(second.activeWritesThroughFile)
        let records = try readAll(second)
        #expect(records.count == 20)
        #expect(zip(records, 0..<20).allSatisfy { matches($0, sampleRecord($1)) })
        second.close()
        #expect(environment.writerDescriptors.available == 1)
    }
}
