import FerrySystem
import FerryTesting
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

struct FileSystemTests {
    @Test func writeAtomically_ReplacesContent_AndLeavesNoTemporaryFile() throws {
        let scratch = TemporaryDirectory()
        let path = scratch.path + "/meta.json"
        try FileSystem.writeAtomically(path, Array("one".utf8))
        try FileSystem.writeAtomically(path, Array("second".utf8))
        #expect(try FileSystem.readFile(path) == Array("second".utf8))
        #expect(try FileSystem.contentsOfDirectory(scratch.path) == ["meta.json"])
        #expect(try FileSystem.readFile(scratch.path + "/missing") == nil)
    }

    @Test func createDirectories_And_RemoveTree_HandleNestedPaths() throws {
        let scratch = TemporaryDirectory()
        try FileSystem.createDirectories(scratch.path + "/a/b/c")
        try FileSystem.createDirectories(scratch.path + "/a/b/c")  // idempotent
        try FileSystem.writeAtomically(scratch.path + "/a/b/c/file", [1, 2, 3], durable: false)
        #expect(FileSystem.isDirectory(scratch.path + "/a/b/c"))
        #expect(try FileSystem.fileSize(scratch.path + "/a/b/c/file") == 3)
        try FileSystem.removeTree(scratch.path + "/a")
        #expect(!FileSystem.isDirectory(scratch.path + "/a"))
        try FileSystem.removeTree(scratch.path + "/a")  // absent: no error
    }

    @Test func mappedRegion_SeesWritesThroughTheFile_AndSyncs() throws {
        let scratch = TemporaryDirectory()
        let fd = try FileDescriptor.open(scratch.path + "/data", O_RDWR | O_CREAT)
        defer { fd.close() }
        try fd.allocate(offset: 0, length: 8192)
        #expect(try fd.size() == 8192)
        let region = try MappedRegion(descriptor: fd, length: 1 << 20, writable: true)  // larger than the file
        region.populateForWriting(0..<8192)
        region.base.storeBytes(of: 0xABCD_EF01 as UInt32, toByteOffset: 4100, as: UInt32.self)
        try region.synchronize(4100..<4104)  // unaligned start is aligned down
        var buffer = [UInt8](repeating: 0, count: 4)
        _ = try buffer.withUnsafeMutableBytes { raw in try fd.read(into: raw, at: 4100) }
        #expect(buffer == [0x01, 0xEF, 0xCD, 0xAB])
    }

    @Test func mappedRegion_ReleasingResidentPages_DropsThemFromRSS_AndKeepsTheData() throws {
        let scratch = TemporaryDirectory()
        let fd = try FileDescriptor.open(scratch.path + "/data", O_RDWR | O_CREAT)
        defer { fd.close() }
        let length = 1 << 20
        let bytes = [UInt8]((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.withUnsafeBytes { try fd.write($0, at: 0) }
        let region = try MappedRegion(descriptor: fd, length: length, writable: false)
        var sum = 0
        for page in stride(from: 0, to: length, by: MappedRegion.pageSize) {
            sum &+= Int(region.base.load(fromByteOffset: page + 1, as: UInt8.self))
        }
        #expect(sum > 0)
        #expect(try residentKilobytes(of: region) >= 1024)
        region.releaseResidentPages(0..<length)
        #expect(try residentKilobytes(of: region) == 0)
        let copy = [UInt8](UnsafeRawBufferPointer(start: region.base, count: length))
        #expect(copy == bytes)  // mapped again from the page cache
    }

    /// A proc file's text (they report size 0, so read until `read` returns nothing).
    private func readToEnd(_ path: String) throws -> String {
        let fd = try FileDescriptor.open(path, O_RDONLY)
        defer { fd.close() }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try fd.read(into: $0, at: bytes.count) }
            if count <= 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The `Rss:` of the mapping that starts at `region.base`, from `/proc/self/smaps`.
    private func residentKilobytes(of region: MappedRegion) throws -> Int {
        let smaps = try readToEnd("/proc/self/smaps")
        let start = String(UInt(bitPattern: region.base), radix: 16)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            let first = line.prefix { $0 != " " }
            if !first.contains(":"), let dash = first.firstIndex(of: "-") {  // "start-end perms offset ..."
                inMapping = first[..<dash] == start
            } else if inMapping, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
            }
        }
        return -1
    }

    @Test func fileDescriptor_ThrowsSystemError_ForMissingFile() {
        #expect(throws: SystemError.self) { _ = try FileDescriptor.open("/nonexistent/ferry/file", O_RDONLY) }
    }
}

struct ThreadingTests {
    @Test func conditionLock_WakesWaiter_AndTimedWaitReturns() {
        let lock = ConditionLock(0)
        let thread = SystemThread(name: "test-signal") { lock.withLockThenSignal { $0 = 42 } }
        let value = lock.wait(deadline: { _ in nil }) { $0 == 42 ? $0 : nil }
        thread.join()
        #expect(value == 42)
        // A deadline in the past makes the wait re-check instead of sleeping forever.
        var checks = 0
        let result = lock.wait(deadline: { _ in MonotonicClock.nanoseconds() }) { _ -> Int? in
            checks += 1
            return checks == 3 ? checks : nil
        }
        #expect(result == 3)
    }

    @Test func lock_SerialisesIncrements_FromManyThreads() {
        let counter = Lock(0)
        let threads = (0..<8).map { _ in
            SystemThread(name: "test-lock") { for _ in 0..<10_000 { counter.withLock { $0 += 1 } } }
        }
        for thread in threads { thread.join() }
        #expect(counter.withLock { $0 } == 80_000)
    }
}
