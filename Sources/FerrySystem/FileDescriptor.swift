import CFerryLinux

#if canImport(Glibc)
    import Glibc
#endif

/// A plain file descriptor with the few calls the storage layer needs, each going through ``syscall(_:_:)``.
///
/// A value type over a raw `Int32`: it does not close itself. The owner must call ``close()`` exactly once.
/// Safe to use from any thread (the kernel serialises per-descriptor state), but ownership is the caller's.
public struct FileDescriptor: Sendable, Hashable {
    /// The raw descriptor number.
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Opens `path` with `flags` (`O_CLOEXEC` is always added) and `mode` for newly created files.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(SystemError) -> FileDescriptor
    {
        let fd = try syscall("open") { Glibc.open(path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(rawValue: fd)
    }

    /// Closes the descriptor. Errors are ignored: on Linux the descriptor is released even when `close` fails,
    /// and `EINTR` must not be retried.
    public func close() { _ = Glibc.close(rawValue) }

    /// The file's current size in bytes (`fstat`).
    public func size() throws(SystemError) -> Int {
        var info = stat()
        _ = try syscall("fstat") { fstat(rawValue, &info) }
        return Int(info.st_size)
    }

    /// Allocates disk blocks for `[offset, offset + length)` (`posix_fallocate`), growing the file if needed.
    /// Throws `ENOSPC`/`EDQUOT` when the disk is full; afterwards writes into the range through a mapping
    /// cannot raise `SIGBUS`.
    public func allocate(offset: Int, length: Int) throws(SystemError) {
        while true {
            let code = cferry_posix_fallocate(rawValue, off_t(offset), off_t(length))
            if code == 0 { return }
            if code == EINTR { continue }
            throw SystemError(errno: code, call: "posix_fallocate")
        }
    }

    /// Writes zeros over `[offset, offset + length)` with one `pwrite` per 4 KiB page, growing the file if needed.
    /// Page by page on purpose: a larger write leaves large folios in the page cache, and every later sync of
    /// one byte in such a folio rewrites all of it (64 KiB to 1 MiB per `msync` on ext4, measured). Throws
    /// `ENOSPC`/`EDQUOT` when the disk is full (delayed allocation reserves the blocks at write time), so writes
    /// into the range through a mapping cannot raise `SIGBUS` either.
    public func writeZeros(offset: Int, length: Int) throws(SystemError) {
        let page = 4096
        try withUnsafeTemporaryAllocation(byteCount: page, alignment: page) { buffer throws(SystemError) in
            guard let base = buffer.baseAddress else { return }
            memset(base, 0, page)
            var position = offset
            while position < offset + length {
                let count = min(page, offset + length - position)
                try write(UnsafeRawBufferPointer(start: base, count: count), at: position)
                position += count
            }
        }
    }

    /// Writes the dirty pages of `[offset, offset + length)` to the device and waits for them
    /// (`sync_file_range`): no metadata sync, no cache flush, so it is no durability point, only a way to
    /// have blocks allocated and written now rather than by a later sync.
    public func writeBack(offset: Int, length: Int) throws(SystemError) {
        _ = try syscall("sync_file_range") { cferry_write_back(rawValue, off_t(offset), off_t(length)) }
    }

    /// Sets the file size (`ftruncate`).
    public func truncate(to size: Int) throws(SystemError) {
        _ = try syscall("ftruncate") { ftruncate(rawValue, off_t(size)) }
    }

    /// `fdatasync`: data (and the metadata needed to read it, such as the size) reaches stable storage.
    public func dataSync() throws(SystemError) {
        _ = try syscall("fdatasync") { fdatasync(rawValue) }
    }

    /// `fsync`: data and all metadata reach stable storage (used for directories).
    public func sync() throws(SystemError) {
        _ = try syscall("fsync") { fsync(rawValue) }
    }

    /// Reads up to `buffer.count` bytes at `offset` (`pread`), looping until full or end of file.
    /// Returns the number of bytes read (less than requested only at end of file).
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = try syscall("pread") { pread(rawValue, base + done, buffer.count - done, off_t(offset + done)) }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes all of `bytes` at `offset` (`pwrite`), looping over short writes.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(SystemError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = try syscall("pwrite") { pwrite(rawValue, base + done, bytes.count - done, off_t(offset + done)) }
            done += n
        }
    }
}
