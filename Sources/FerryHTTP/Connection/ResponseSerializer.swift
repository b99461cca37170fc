import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// Writes response heads as bytes. Stateless; thread-safe.
enum ResponseSerializer {
    /// Appends the status line, the response's own fields (minus framing fields the server owns), then
    /// `Content-Length` or `Transfer-Encoding: chunked`, `X-Request-Id`, `Date`, `Connection` and the blank line.
    /// `contentLength` nil without `chunked` means a close-delimited body (streams to HTTP/1.0 clients).
    static func appendHead(
        status: HTTPStatus, headers: HTTPHeaders, contentLength: Int?, requestID: RequestID, keepAlive: Bool,
        http10: Bool, date: [UInt8], chunked: Bool, to out: inout [UInt8]
    ) {
        switch status.code {
        case 200: appendStatic("HTTP/1.1 200 OK\r\n", to: &out)
        case 204: appendStatic("HTTP/1.1 204 No Content\r\n", to: &out)
        default:
            appendStatic("HTTP/1.1 ", to: &out)
            appendDecimal(status.code, to: &out)
            out.append(0x20)
            out.append(contentsOf: status.reasonPhrase.utf8)
            appendStatic("\r\n", to: &out)
        }
        for field in headers.fields where !isServerOwned(field.name) {
            appendSanitized(field.name, to: &out)
            appendStatic(": ", to: &out)
            appendSanitized(field.value, to: &out)
            appendStatic("\r\n", to: &out)
        }
        if chunked {
            appendStatic("Transfer-Encoding: chunked\r\n", to: &out)
        } else if let contentLength, !status.forbidsBody {
            appendStatic("Content-Length: ", to: &out)
            appendDecimal(contentLength, to: &out)
            appendStatic("\r\n", to: &out)
        }
        appendStatic("X-Request-Id: ", to: &out)
        requestID.append(to: &out)
        appendStatic("\r\n", to: &out)
        out.append(contentsOf: date)
        if !keepAlive {
            appendStatic("Connection: close\r\n", to: &out)
        } else if http10 {
            appendStatic("Connection: keep-alive\r\n", to: &out)
        }
        appendStatic("\r\n", to: &out)
    }

    /// Appends a literal's bytes without going through String.
    @inline(__always)
    static func appendStatic(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(__always)
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(truncatingIfNeeded: 0x30 + max(0, value)))
            return
        }
        var digits: (UInt64, UInt64) = (0, 0)
        var count = 0
        var v = UInt64(clamping: value)
        withUnsafeMutableBytes(of: &digits) { scratch in
            while v > 0 {
                scratch[count] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
                v /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(scratch[i]) }
        }
    }

    /// Appends a chunk-size line (`<hex>\r\n`).
    static func appendChunkSize(_ size: Int, to out: inout [UInt8]) {
        let digitCount = max(1, (64 - UInt64(size).leadingZeroBitCount + 3) / 4)
        for i in stride(from: digitCount - 1, through: 0, by: -1) {
            out.append(hexDigit(UInt64(size) >> UInt64(i * 4)))
        }
        appendStatic("\r\n", to: &out)
    }

    /// Queues `bytes` (not empty) as the next piece of a streamed body: as one chunk (`<hex>\r\n`, the bytes,
    /// `\r\n`) when `chunked`, as they are otherwise (HTTP/1.0: the close delimits the body). A small piece is
    /// framed into the queue's tail in one pass; a large one is queued by reference between its framing.
    static func appendStreamPiece(_ bytes: [UInt8], chunked: Bool, to out: inout OutputQueue) {
        guard chunked else {
            out.append(bytes: bytes)
            return
        }
        if bytes.count >= OutputQueue.largeChunkBytes {
            out.append { appendChunkSize(bytes.count, to: &$0) }
            out.append(bytes: bytes)
            out.append { appendStatic("\r\n", to: &$0) }
        } else {
            out.append { tail in
                appendChunkSize(bytes.count, to: &tail)
                tail.append(contentsOf: bytes)
                appendStatic("\r\n", to: &tail)
            }
        }
    }

    /// Header values come from handlers: never let a CR/LF through (response splitting).
    @inline(__always)
    private static func appendSanitized(_ value: String, to out: inout [UInt8]) {
        // Fast path: native strings are contiguous; copy in bulk when no byte needs replacing.
        let copied: Bool? = value.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes where byte == 0x0D || byte == 0x0A || byte == 0 { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied == true { return }
        for byte in value.utf8 { out.append(byte == 0x0D || byte == 0x0A || byte == 0 ? 0x20 : byte) }
    }

    @inline(__always)
    private static func isServerOwned(_ name: String) -> Bool {
        switch name.utf8.count {
        case 4: HTTPHeaders.equalsIgnoringCase(name, "Date")
        case 10: HTTPHeaders.equalsIgnoringCase(name, "Connection")
        case 12: HTTPHeaders.equalsIgnoringCase(name, "X-Request-Id")
        case 14: HTTPHeaders.equalsIgnoringCase(name, "Content-Length")
        case 17: HTTPHeaders.equalsIgnoringCase(name, "Transfer-Encoding")
        default: false
        }
    }
}

/// How a fixed response to one request is framed: what the request and the connection decide.
struct ResponseFraming {
    var keepAlive: Bool
    var http10: Bool
    /// A HEAD request: the head announces the body, which is not sent.
    var isHead: Bool
    var requestID: RequestID
}

extension ResponseSerializer {
    /// Appends a fixed response to `output`: its head, then its body unless the request was HEAD or the status
    /// has none (small bodies copied behind the head, large ones queued by reference). Returns the body bytes
    /// sent.
    static func append(
        _ response: HTTPResponse, framing: ResponseFraming, date: [UInt8], to output: inout OutputQueue
    ) -> Int {
        let sendBody = !framing.isHead && !response.status.forbidsBody
        let smallBody = sendBody && response.body.count < OutputQueue.largeChunkBytes
        output.append { out in
            appendHead(
                status: response.status, headers: response.headers, contentLength: response.body.count,
                requestID: framing.requestID, keepAlive: framing.keepAlive, http10: framing.http10, date: date,
                chunked: false, to: &out)
            if smallBody { out.append(contentsOf: response.body) }
        }
        if sendBody && !smallBody { output.append(bytes: response.body) }
        return sendBody ? response.body.count : 0
    }
}

/// The `Date: ...\r\n` line, reformatted at most once per second. Loop-confined (``ServerContext/sharedDate``
/// is the one other threads use, under its lock).
struct DateHeaderCache {
    private var second = -1
    private var cached: [UInt8] = []
    private var checkedAt: UInt64 = 0

    mutating func bytes(now: UInt64) -> [UInt8] {
        if now &- checkedAt < 50_000_000 && !cached.isEmpty { return cached }
        checkedAt = now
        let t = time(nil)
        if t == second { return cached }
        second = t
        var tmValue = tm()
        var seconds = time_t(t)
        gmtime_r(&seconds, &tmValue)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let text =
            "Date: \(days[Int(tmValue.tm_wday)]), \(two(tmValue.tm_mday)) \(months[Int(tmValue.tm_mon)]) "
            + "\(tmValue.tm_year + 1900) \(two(tmValue.tm_hour)):\(two(tmValue.tm_min)):\(two(tmValue.tm_sec)) GMT\r\n"
        cached = Array(text.utf8)
        return cached
    }
}
