#if canImport(Glibc)
    import Glibc
#endif

/// Bytes waiting to be written to one socket, as a short list of chunks written with one `writev`.
///
/// Small writes (response heads, small bodies) are appended to a reusable tail chunk; large bodies are queued as
/// their own chunk so they are not copied. Not thread-safe: owned by one connection on its event-loop thread
/// (HTTP and Kafka-protocol connections alike).
public struct OutputQueue {
    public init() {}

    /// Bodies at least this large are queued by reference instead of copied.
    public static let largeChunkBytes = 16 * 1024
    private static let maxIOVecs = 16

    private var chunks: [[UInt8]] = []
    /// Bytes of `chunks[0]` already written.
    private var firstOffset = 0
    /// True when the last chunk is ours to append to.
    private var tailAppendable = false
    /// Bytes queued and not yet written.
    public private(set) var pendingBytes = 0

    public var isEmpty: Bool { pendingBytes == 0 }

    /// Appends bytes produced by `body` to the tail chunk.
    public mutating func append(_ body: (inout [UInt8]) -> Void) {
        if !tailAppendable || chunks.isEmpty {
            var fresh: [UInt8] = []
            fresh.reserveCapacity(512)
            chunks.append(fresh)
            tailAppendable = true
        }
        let last = chunks.count - 1
        let before = chunks[last].count
        body(&chunks[last])
        pendingBytes += chunks[last].count - before
    }

    /// Appends raw bytes: copied into the tail when small, queued as their own chunk when large.
    public mutating func append(bytes: [UInt8]) {
        if bytes.isEmpty { return }
        if bytes.count >= Self.largeChunkBytes {
            chunks.append(bytes)
            tailAppendable = false
            pendingBytes += bytes.count
        } else {
            append { $0.append(contentsOf: bytes) }
        }
    }

    /// What is not written yet, as chunks (the first one trimmed to its unwritten part): to hand the rest of a
    /// write made elsewhere to the queue that will finish it (``append(chunks:)``).
    public var unwrittenChunks: [[UInt8]] {
        var rest: [[UInt8]] = []
        for (index, chunk) in chunks.enumerated() {
            let part = index == 0 && firstOffset > 0 ? Array(chunk[firstOffset...]) : chunk
            if !part.isEmpty { rest.append(part) }
        }
        return rest
    }

    /// Appends chunks as they are (none copied; empty ones skipped).
    public mutating func append(chunks more: [[UInt8]]) {
        for chunk in more where !chunk.isEmpty {
            chunks.append(chunk)
            pendingBytes += chunk.count
            tailAppendable = false
        }
    }

    /// Drops everything queued.
    public mutating func removeAll() {
        chunks = []
        firstOffset = 0
        tailAppendable = false
        pendingBytes = 0
    }

    /// Writes as much as the socket takes with `writev`. Returns `.wouldBlock` when the socket is full with bytes
    /// still queued, `.processed(written)` otherwise. Throws on a socket error (the peer is gone).
    public mutating func write(to fd: Int32) throws(SystemError) -> IOResult<Int> {
        var total = 0
        while pendingBytes > 0 {
            let count = min(chunks.count, Self.maxIOVecs)
            let offset = firstOffset
            let result: IOResult<Int>
            if count == 1 {
                result = try chunks[0].withUnsafeBufferPointer { chunk throws(SystemError) in
                    try nonBlockingSyscall("send") {
                        // Queued chunks are never empty.
                        send(fd, chunk.baseAddress! + offset, chunk.count - offset, Int32(MSG_NOSIGNAL))
                    }
                }
            } else {
                var iovecs = [iovec](repeating: iovec(), count: count)
                result = try Self.withIOVecs(chunks, index: 0, count: count, firstOffset: offset, into: &iovecs) {
                    iovs throws(SystemError) in
                    try nonBlockingSyscall("writev") { writev(fd, iovs.baseAddress, Int32(iovs.count)) }
                }
            }
            switch result {
            case .wouldBlock:
                return total == 0 ? .wouldBlock : .processed(total)
            case .processed(let written):
                total += written
                consume(written)
            }
        }
        // Keep a small tail buffer for the next response; release large ones.
        if chunks.count == 1, chunks[0].capacity <= 64 * 1024, tailAppendable {
            chunks[0].removeAll(keepingCapacity: true)
            firstOffset = 0
        } else {
            chunks = []
            firstOffset = 0
            tailAppendable = false
        }
        return .processed(total)
    }

    private mutating func consume(_ written: Int) {
        var left = written
        pendingBytes -= written
        while left > 0 {
            let available = chunks[0].count - firstOffset
            if left >= available {
                left -= available
                if chunks.count == 1 && tailAppendable {
                    chunks[0].removeAll(keepingCapacity: true)
                } else {
                    chunks.removeFirst()
                }
                firstOffset = 0
            } else {
                firstOffset += left
                left = 0
            }
        }
    }

    /// Nests `withUnsafeBufferPointer` over `count` chunks so every iovec points into pinned storage.
    private static func withIOVecs<R>(
        _ chunks: [[UInt8]], index: Int, count: Int, firstOffset: Int, into iovecs: inout [iovec],
        _ body: (UnsafeMutableBufferPointer<iovec>) throws(SystemError) -> R
    ) throws(SystemError) -> R {
        if index == count {
            return try iovecs.withUnsafeMutableBufferPointer { buffer throws(SystemError) in try body(buffer) }
        }
        return try chunks[index].withUnsafeBufferPointer { chunk throws(SystemError) in
            let skip = index == 0 ? firstOffset : 0
            iovecs[index] = iovec(
                // Queued chunks are never empty.
                iov_base: UnsafeMutableRawPointer(mutating: chunk.baseAddress! + skip), iov_len: chunk.count - skip)
            return try withIOVecs(chunks, index: index + 1, count: count, firstOffset: firstOffset, into: &iovecs, body)
        }
    }
}
