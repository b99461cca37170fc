import FerryLog
import FerrySystem
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Open file descriptors of this process that refer to something under `directory` (other tests running in
/// the same process open their own descriptors meanwhile, so only ours are counted).
private func openDescriptorCount(under directory: String) throws -> Int {
    var count = 0
    for name in try FileSystem.contentsOfDirectory("/proc/self/fd") {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let length = buffer.withUnsafeMutableBytes {
            readlink("/proc/self/fd/" + name, $0.baseAddress!.assumingMemoryBound(to: CChar.self), 4095)
        }
        if length > 0, String(decoding: buffer[..<length], as: UTF8.self).hasPrefix(directory) { count += 1 }
    }
    return count
}

struct ScaleTests {
    @Test("10 000 partitions in one process: no descriptor per partition, all recovered after a restart")
    func manager_Handles10000Partitions() throws {
        let directory = TemporaryDirectory.inMemoryIfAvailable()
        let partitions = 10_000
        let configuration = LogConfiguration(
            segmentBytes: 1024, indexIntervalBytes: 256, flushPolicy: .never,
            preallocationBytes: 4096)
        do {
            let manager = try LogManager(dataDirectory: directory.path, maxMappedSegments: 100)
            try manager.createTopic("wide", partitions: partitions, configuration: configuration)
            let logs = try #require(manager.partitions(topic: "wide"))
            for (number, log) in logs.enumerated() {
                // Three batches of ~400 bytes: the partition rolls at least once. (Only every 10th does, to keep
                // the test quick on a slow file system: each roll creates files.)
                for batch in 0..<(number % 10 == 0 ? 3 : 1) {
                    try log.append([sampleRecord(number * 3 + batch, valueBytes: 350)])
                }
            }
            // No descriptor is kept per partition (mappings keep the files alive).
            #expect(try openDescriptorCount(under: directory.path) == 0)
            for (number, log) in logs.enumerated() where number % 10 == 0 {
                let records = try log.read(from: 0, maxRecords: 10).records
                #expect(records.count == 3 && matches(records[2], sampleRecord(number * 3 + 2, valueBytes: 350)))
            }
            #expect(manager.environment.cache.mappedCount <= 100)
            manager.shutdown()
        }
        let manager = try LogManager(dataDirectory: directory.path, maxMappedSegments: 100)
        defer { manager.shutdown() }
        #expect(manager.startupReport.partitions == partitions)
        #expect(manager.startupReport.truncatedBytes == 0)
        let logs = try #require(manager.partitions(topic: "wide"))
        var total: Int64 = 0
        for log in logs { total += log.nextOffset }
        #expect(total == Int64(partitions + partitions / 10 * 2))
        for (number, log) in logs.enumerated() where number % 10 == 0 {
            let records = try log.read(from: 0, maxRecords: 10).records
            #expect(records.count == 3 && matches(records[0], sampleRecord(number * 3, valueBytes: 350)))
        }
        #expect(manager.environment.cache.mappedCount <= 100)
        #expect(try openDescriptorCount(under: directory.path) == 0)
    }
}
