import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// Figures about this process read from `/proc/self` (Linux). Each read opens a few small files: call it at
/// scrape time, not on a hot path. Values are nil where `/proc` is unavailable.
enum ProcessStatistics {
    /// Resident set size in bytes (`/proc/self/statm`, second field, times the page size).
    static func residentMemoryBytes() -> Int64? {
        guard let text = readSmallFile("/proc/self/statm") else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int64(fields[1]) else { return nil }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Open file descriptors (entries of `/proc/self/fd`, less the one the listing itself uses).
    static func openFileDescriptors() -> Int? {
        guard let entries = try? FileSystem.contentsOfDirectory("/proc/self/fd") else { return nil }
        return max(0, entries.count - 1)
    }

    /// Up to 4 KiB of a file as text, or nil.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}
