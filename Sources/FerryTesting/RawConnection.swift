import CFerryLinux

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking keep-alive TCP connection to 127.0.0.1 that sends bytes exactly as given and reads responses by
/// hand (`Content-Length`, chunked, or until close): for the framing rules libcurl would never break, for
/// requests libcurl will not send as written, and for benchmark clients that must cost far less CPU than the
/// server they measure (no libcurl; one `send` per request, one reused receive buffer).
///
/// Blocking: every read waits on the socket, at most the receive timeout when one was set (a bound against
/// hangs, not a timed assertion). Use it from a thread that may block: a Dispatch thread in async tests
/// (``onDispatchThread(_:)``), a benchmark's worker thread, or a synchronous test.
///
/// Ownership and threads: it owns its socket and closes it on deinit. One thread may send while another reads
/// (a test answering a held request meanwhile); never two senders or two readers at once.
public final class RawConnection: @unchecked Sendable {
    /// Why a connection or a read failed.
    public enum Failure: Error, Equatable {
        /// `connect` failed with this errno.
        case connect(errno: Int32)
        /// The peer closed (or the receive timeout passed) before the whole response arrived.
        case closed
        /// Bytes that are not an HTTP/1.x response (the offending line).
        case malformed(String)
    }

    /// The socket (for tests that shut it down, read a byte themselves, or watch it).
    public let fd: Int32
    /// The server's port on 127.0.0.1.
    public let port: Int
    // Received bytes, in memory of our own (grown with `realloc`; byte work goes through libc, so it stays cheap
    // in debug builds too): `storage[start..<end]` is not read yet. Touched by the reading thread only.
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0
    private var start = 0
    private var end = 0

    /// Connects to 127.0.0.1:`port`.
    ///
    /// - Parameters:
    ///   - receiveTimeoutSeconds: how long one read may wait (nil: forever, for benchmarks).
    ///   - receiveBufferBytes: the socket's receive buffer (`SO_RCVBUF`; nil: the system's).
    ///   - noDelay: `TCP_NODELAY`.
    public init(
        port: Int, receiveTimeoutSeconds: Int? = 10, receiveBufferBytes: Int32? = nil, noDelay: Bool = false
    ) throws(Failure) {
        guard
            let fd = LoopbackSocket.connect(
                port: port, receiveTimeoutSeconds: receiveTimeoutSeconds, receiveBufferBytes: receiveBufferBytes,
                noDelay: noDelay)
        else { throw .connect(errno: errno) }
        self.fd = fd
        self.port = port
    }

    deinit {
        close(fd)
        free(storage)
    }

    /// Sends every byte; false when the peer closed first (then reads say what it sent before).
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Sends the UTF-8 bytes of `text`.
    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Closes abruptly: `SO_LINGER` 0 and `shutdown`, so the server sees a reset (the descriptor itself is
    /// closed on deinit).
    public func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// True when the peer closes the connection (EOF or reset) before the receive timeout; discards whatever
    /// arrives (and was buffered) meanwhile.
    public func waitForClose() -> Bool {
        start = 0
        end = 0
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 4096, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    /// True when the peer closes (EOF or reset) without sending another byte first.
    public func isClosedWithoutData() -> Bool {
        if start < end { return false }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        return n == 0 || (n < 0 && errno == ECONNRESET)
    }

    // MARK: Reading (used by RawConnection+Response)

    /// Receives more bytes; false on EOF, error or timeout.
    func fill() -> Bool {
        if start == end {
            start = 0
            end = 0
        }
        if end == capacity {
            if start > 0 {
                memmove(storage!, storage! + start, end - start)
                end -= start
                start = 0
            } else {
                capacity = max(64 << 10, capacity * 2)
                guard let grown = realloc(storage, capacity) else { preconditionFailure("out of memory") }
                storage = grown
            }
        }
        while true {
            let n = recv(fd, storage! + end, capacity - end, 0)
            if n > 0 {
                end += n
                return true
            }
            if n < 0 && errno == EINTR { continue }
            return false
        }
    }

    /// The next line without its CRLF.
    func readLine() throws(Failure) -> String {
        var scanned = 0  // bytes after `start` known to hold no CRLF (offsets survive compaction)
        while true {
            var from = start + scanned
            while from < end, let found = memchr(storage! + from, 0x0A, end - from) {
                let index = storage!.distance(to: found)
                if index > start && storage!.load(fromByteOffset: index - 1, as: UInt8.self) == 0x0D {
                    let bytes = UnsafeRawBufferPointer(start: storage! + start, count: index - 1 - start)
                    let line = String(decoding: bytes, as: UTF8.self)
                    start = index + 1
                    return line
                }
                from = index + 1
            }
            scanned = end - start
            guard fill() else { throw .closed }
        }
    }

    /// The next `count` bytes.
    func readExactly(_ count: Int) throws(Failure) -> [UInt8] {
        while end - start < count {
            guard fill() else { throw .closed }
        }
        defer { start += count }
        return take(count)
    }

    /// Everything until the peer closes (or the receive timeout passes).
    func readToEnd() -> [UInt8] {
        while fill() {}
        defer { start = end }
        return take(end - start)
    }

    /// A copy of the next `count` buffered bytes.
    private func take(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { bytes, initialized in
            if count > 0 { memcpy(bytes.baseAddress!, storage! + start, count) }
            initialized = count
        }
    }
}
