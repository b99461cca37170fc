import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// Where `ferry produce --follow` is in a file, kept in a small state file so that a restart resumes without
/// losing or repeating lines: the file's identity (device, inode), the offset up to which lines were sent, and
/// the byte range of a batch being sent (written before the request, cleared after). A batch recorded as in
/// flight is sent again after a crash with the same Idempotency-Key, which Ferry answers without a second copy.
struct FollowState: Equatable {
    var device: UInt64 = 0
    var inode: UInt64 = 0
    /// Raised at every truncation, so that a byte range read again names a new batch.
    var epoch: UInt64 = 0
    /// Bytes of the file whose lines were sent.
    var offset: Int64 = 0
    /// A batch `[start, end)` whose request may or may not have been stored.
    var inFlight: Range<Int64>?

    /// `device inode epoch offset [start end]` on one line.
    var text: String {
        var line = "\(device) \(inode) \(epoch) \(offset)"
        if let inFlight { line += " \(inFlight.lowerBound) \(inFlight.upperBound)" }
        return line + "\n"
    }

    /// The state in `path`, or nil when there is none (or it is not a state file).
    static func load(_ path: String) -> FollowState? {
        guard let bytes = try? FileSystem.readFile(path) else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 4 || fields.count == 6, let device = UInt64(fields[0]), let inode = UInt64(fields[1]),
            let epoch = UInt64(fields[2]), let offset = Int64(fields[3])
        else { return nil }
        var state = FollowState(device: device, inode: inode, epoch: epoch, offset: offset)
        if fields.count == 6, let start = Int64(fields[4]), let end = Int64(fields[5]), start <= end {
            state.inFlight = start..<end
        }
        return state
    }

    /// Replaces `path` atomically (write a temp file, fsync, rename): a crash leaves the old state or the new one.
    func save(_ path: String) throws {
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ClientError(description: "cannot write \(temp): errno \(errno)") }
        var bytes = Array(text.utf8)
        let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temp, path) == 0 else {
            throw ClientError(description: "cannot write \(path): errno \(errno)")
        }
    }
}
