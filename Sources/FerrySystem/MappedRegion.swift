import CFerryLinux

#if canImport(Glibc)
    import Glibc
#endif

/// A `MAP_SHARED` memory mapping of a file, unmapped when the last reference goes away.
///
/// Ownership: the region is a reference-counted class precisely so that readers can keep a mapping alive while
/// its owner (for example a log segment being deleted or evicted from a cache) lets go of it: `munmap` runs in
/// `deinit`, after the last holder releases it. The file descriptor used to create the mapping is not retained
/// (the kernel keeps the file referenced for the mapping's lifetime), so callers should close it.
///
/// Thread-safety: the region itself is immutable. Reading or writing the mapped bytes is up to the owner's
/// locking rules (`@unchecked Sendable` because raw pointers are not `Sendable`). Accessing bytes beyond the end
/// of the underlying file raises `SIGBUS`; owners must only touch bytes the file is known to contain.
public final class MappedRegion: @unchecked Sendable {
    /// The start of the mapping (page-aligned).
    public let base: UnsafeMutableRawPointer
    /// The mapping's length in bytes (may exceed the file size; see the class doc).
    public let length: Int
    /// Whether the mapping is writable (`PROT_WRITE`).
    public let isWritable: Bool

    /// The system page size.
    public static let pageSize: Int = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Maps `length` bytes of `descriptor` from offset 0. `length` must be greater than zero.
    public init(descriptor: FileDescriptor, length: Int, writable: Bool) throws(SystemError) {
        precondition(length > 0, "MappedRegion: length must be > 0, got \(length)")
        let protection = writable ? (PROT_READ | PROT_WRITE) : PROT_READ
        let pointer = mmap(nil, length, protection, MAP_SHARED, descriptor.rawValue, 0)
        guard let pointer, cferry_map_failed_is(pointer) == 0 else {
            throw SystemError(errno: Glibc.errno, call: "mmap")
        }
        self.base = pointer
        self.length = length
        self.isWritable = writable
    }

    deinit {
        munmap(base, length)
    }

    /// Writes the dirty pages of `range` to stable storage and waits (`msync(MS_SYNC)`, which on Linux also
    /// commits the file metadata needed to read them back, like `fdatasync`). The start is aligned down to a page.
    /// May block for milliseconds: never call it on a latency-sensitive thread.
    public func synchronize(_ range: Range<Int>) throws(SystemError) {
        guard !range.isEmpty else { return }
        precondition(range.lowerBound >= 0 && range.upperBound <= length, "synchronize: \(range) outside 0..<\(length)")
        let start = range.lowerBound & ~(Self.pageSize - 1)
        _ = try syscall("msync") { msync(base + start, range.upperBound - start, MS_SYNC) }
    }

    /// Drops the pages of `range` (whole pages inside it) from this process's resident set (`MADV_DONTNEED`).
    /// For a shared file mapping nothing is lost: the data stays in the page cache (dirty pages are written
    /// back as usual) and a later access maps it again (a minor fault). Keeps RSS to the hot part of a log.
    public func releaseResidentPages(_ range: Range<Int>) {
        let start = (max(0, range.lowerBound) + Self.pageSize - 1) & ~(Self.pageSize - 1)
        let end = min(length, range.upperBound) & ~(Self.pageSize - 1)
        guard end > start else { return }
        _ = madvise(base + start, end - start, MADV_DONTNEED)
    }

    /// Prefaults `range` for writing (`MADV_POPULATE_WRITE`, Linux 5.14+): one system call instead of a page
    /// fault per page when the range is first written. The file must already have blocks for the whole range
    /// (see ``FileDescriptor/allocate(offset:length:)``). Best effort: failures (older kernels) are ignored.
    public func populateForWriting(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let start = range.lowerBound & ~(Self.pageSize - 1)
        let populateWrite: Int32 = 23  // MADV_POPULATE_WRITE
        _ = madvise(base + start, range.upperBound - start, populateWrite)
    }
}
