import FerrySystem
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `ferry produce --follow FILE`: ships the lines of a growing file like `tail -F`, batch by batch, until
/// SIGTERM/SIGINT.
///
/// - A new line is sent once it is complete (ends with a newline); a batch goes out when it holds `maxLines` or
///   `maxBytes`, or when no more bytes came for `pollInterval`.
/// - Rotation (the path now names another file): the old file is read to its end (a last line without newline
///   included), then the new one from its start. Truncation (the file got shorter): it is read again from its
///   start. A missing file is waited for.
/// - Each batch is recorded in the state file before it is sent and carries
///   `Idempotency-Key: follow-<device>-<inode>-<truncations>-<start>-<end>`; after a crash or kill the same batch is sent
///   again with the same key (Ferry answers it without storing a second copy), then reading resumes after it.
struct FileFollower {
    let path: String
    let statePath: String
    let maxLines: Int
    let maxBytes: Int
    let pollInterval: Duration
    /// Sends `lines` (complete lines, newline-terminated) with the Idempotency-Key `key`.
    let send: (_ lines: ArraySlice<UInt8>, _ key: String, _ count: Int) throws -> Void

    /// Set by SIGTERM/SIGINT.
    static let stopRequested = Atomic<Bool>(false)

    private var fd: Int32 = -1
    private var state = FollowState()
    /// Bytes read past `state.offset` and not sent yet.
    private var buffer: [UInt8] = []
    /// When the oldest unsent byte was read (monotonic ns; 0 when nothing waits).
    private var pendingSince: UInt64 = 0

    init(
        path: String, statePath: String, maxLines: Int, maxBytes: Int, pollInterval: Duration,
        send: @escaping (ArraySlice<UInt8>, String, Int) throws -> Void
    ) {
        self.path = path
        self.statePath = statePath
        self.maxLines = maxLines
        self.maxBytes = maxBytes
        self.pollInterval = pollInterval
        self.send = send
    }

    /// Follows until a stop signal; returns the number of lines sent.
    mutating func run() throws -> Int {
        signal(SIGTERM) { _ in FileFollower.stopRequested.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in FileFollower.stopRequested.store(true, ordering: .relaxed) }
        var sent = 0
        try openFile(resume: FollowState.load(statePath))
        while !Self.stopRequested.load(ordering: .relaxed) {
            let grew = readAvailable()
            let waited =
                pendingSince != 0
                && MonotonicClock.nanoseconds() - pendingSince >= UInt64(
                    pollInterval.components.attoseconds / 1_000_000_000)
                    + UInt64(pollInterval.components.seconds) * 1_000_000_000
            sent += try sendCompleteLines(force: !grew || waited)
            if !grew {
                if try checkRotationOrTruncation(sent: &sent) { continue }
                sleep(for: pollInterval)
            }
        }
        sent += try sendCompleteLines(force: true)
        if fd >= 0 { close(fd) }
        return sent
    }

    private func identity(of descriptor: Int32) -> (UInt64, UInt64)? {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// Opens `path` (waiting while it does not exist) and positions after what was sent: from the saved state
    /// when it is the same file, else from its start. Re-sends a batch the state recorded as in flight.
    private mutating func openFile(resume saved: FollowState?) throws {
        while true {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd >= 0 { break }
            if Self.stopRequested.load(ordering: .relaxed) { return }
            sleep(for: pollInterval)
        }
        let (device, inode) = identity(of: fd) ?? (0, 0)
        let size = Int64(lseek(fd, 0, SEEK_END))
        if let saved, saved.device == device, saved.inode == inode, saved.offset <= size {
            state = saved
            if let batch = saved.inFlight, batch.upperBound <= size {
                var bytes = [UInt8](repeating: 0, count: Int(batch.count))
                let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(batch.lowerBound)) }
                if got == bytes.count {
                    let lines = bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                    try send(bytes[...], key(batch), lines)
                    state.offset = batch.upperBound
                }
            }
            state.inFlight = nil
        } else {
            state = FollowState(device: device, inode: inode, offset: 0)
        }
        buffer = []
        try state.save(statePath)
    }

    /// Appends what the file has past the buffer; true when bytes came.
    private mutating func readAvailable() -> Bool {
        guard fd >= 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var grew = false
        while buffer.count < maxBytes * 2 {
            let at = off_t(state.offset) + off_t(buffer.count)
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, at) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            if buffer.isEmpty { pendingSince = MonotonicClock.nanoseconds() }
            buffer.append(contentsOf: chunk[..<count])
            grew = true
        }
        return grew
    }

    private func key(_ range: Range<Int64>) -> String {
        "follow-\(state.device)-\(state.inode)-\(state.epoch)-\(range.lowerBound)-\(range.upperBound)"
    }

    /// Sends full batches of complete lines; with `force`, also a smaller last one. `includePartial` sends a
    /// last line without newline too (the file was rotated away: it will not grow).
    private mutating func sendCompleteLines(force: Bool, includePartial: Bool = false) throws -> Int {
        var total = 0
        while true {
            var end = 0
            var lines = 0
            var index = 0
            while index < buffer.count, lines < maxLines, index < maxBytes {
                if buffer[index] == UInt8(ascii: "\n") {
                    lines += 1
                    end = index + 1
                }
                index += 1
            }
            if includePartial, end < buffer.count, lines < maxLines, buffer.count <= maxBytes {
                buffer.append(UInt8(ascii: "\n"))  // the rotated file's last line, completed for the request
                lines += 1
                end = buffer.count
            }
            guard end > 0, lines >= maxLines || end >= maxBytes / 2 || force else { return total }
            let range = state.offset..<(state.offset + Int64(min(end, buffer.count)))
            state.inFlight = range
            try state.save(statePath)
            try send(buffer[..<end], key(range), lines)
            state.offset = range.upperBound
            state.inFlight = nil
            try state.save(statePath)
            buffer.removeFirst(end)
            pendingSince = buffer.isEmpty ? 0 : MonotonicClock.nanoseconds()
            total += lines
        }
    }

    /// After an idle read: a rotated path is switched to (the old file drained first), a truncated file is read
    /// again from its start. True when it changed files or position.
    private mutating func checkRotationOrTruncation(sent: inout Int) throws -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }  // moved away, not recreated yet: keep the old one
        if UInt64(info.st_dev) != state.device || UInt64(info.st_ino) != state.inode {
            _ = readAvailable()
            sent += try sendCompleteLines(force: true, includePartial: true)
            if fd >= 0 { close(fd) }
            fd = -1
            try openFile(resume: nil)
            return true
        }
        if Int64(info.st_size) < state.offset + Int64(buffer.count) {
            state.offset = 0
            state.epoch += 1
            state.inFlight = nil
            buffer = []
            try state.save(statePath)
            return true
        }
        return false
    }

    private func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        _ = nanosleep(&request, nil)
    }
}
