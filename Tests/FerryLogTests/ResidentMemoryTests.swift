import FerrySystem
import Testing

@testable import FerryLog

#if canImport(Glibc)
    import Glibc
#endif

/// Synced log pages leave the process's resident set (the page cache keeps them): RSS follows the hot tail of
/// the active segment, not everything written, and what was dropped reads back intact.
struct ResidentMemoryTests {
    /// Resident KiB of the mapping that starts at `base`, from /proc/self/smaps (nil when not found).
    static func residentKiB(ofMappingAt base: UnsafeMutableRawPointer) -> Int? {
        let fd = open("/proc/self/smaps", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 1 << 16) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        let wanted = String(UInt(bitPattern: base), radix: 16) + "-"
        var inMapping = false
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            if line.first.map({ $0.isHexDigit }) == true && line.contains("-") && !line.hasPrefix("Rss") {
                inMapping = line.hasPrefix(wanted)
            } else if inMapping && line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            }
        }
        return nil
    }

    @Test func syncedPagesOfTheActiveSegment_LeaveTheResidentSet_ExceptTheTail() throws {
        let test = try TestLog.make(LogConfiguration(segmentBytes: 64 << 20, flushPolicy: .never))
        defer { test.close() }
        // 40 MiB in 1 MiB batches of 1 KiB records.
        for batch in 0..<40 {
            try test.log.append((0..<1000).map { sampleRecord(batch * 1000 + $0, valueBytes: 1000) })
        }
        let region = test.log.state.withLock { $0.active.region }
        let before = try #require(Self.residentKiB(ofMappingAt: region.base))
        try test.log.flush()
        let after = try #require(Self.residentKiB(ofMappingAt: region.base))
        #expect(before > 30_000, "written pages are resident before the sync: \(before) KiB")
        let bound = (PartitionLog.residentTailBytes + PartitionLog.releaseStepBytes) / 1024 + 2048
        #expect(after <= bound, "after the sync only the tail stays resident: \(after) KiB (bound \(bound))")
        // Dropped pages read back from the page cache.
        let first = try test.log.read(from: 0, maxRecords: 1)
        #expect(first.records.first?.offset == 0)
        #expect(first.records.first?.value?.count == 1000)
    }
}
