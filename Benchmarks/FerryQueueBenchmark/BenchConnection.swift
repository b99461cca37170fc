#if canImport(Glibc)
import Glibc
#endif

/// One blocking keep-alive HTTP/1.1 connection to 127.0.0.1 for the benchmark's workers: a request is one
/// `send`, a response is read by `Content-Length` into a reused buffer. Lean on purpose (no libcurl, no header
/// parsing beyond the status line and the length), so the client costs far less CPU than the server it
/// measures on the same 2 cores. Not thread-safe: one worker thread owns it.
final class BenchConnection {
    private let fd: Int32
    private let host: String
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var filled = 0
    /// The body of the last response (a slice of the buffer, valid until the next request).
    private(set) var body: ArraySlice<UInt8> = []

    init(port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        host = "127.0.0.1:\(port)"
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        precondition(result == 0, "connect to 127.0.0.1:\(port) failed: errno \(errno)")
    }

    deinit { close(fd) }

    /// Sends one request and reads its response; returns the status (the body is in ``body``).
    func request(_ method: String, _ path: String, json: String? = nil) -> Int {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        if let json {
            head += "Content-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n" + json
        } else {
            head += method == "GET" ? "\r\n" : "Content-Length: 0\r\n\r\n"
        }
        var bytes = Array(head.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            precondition(n > 0, "send failed: errno \(errno)")
            offset += n
        }
        return readResponse()
    }

    private func readResponse() -> Int {
        filled = 0
        var headerEnd = -1
        while headerEnd < 0 {
            fill()
            headerEnd = find([13, 10, 13, 10], in: buffer[0..<filled]).map { $0 + 4 } ?? -1
        }
        let head = buffer[0..<headerEnd]
        // "HTTP/1.1 200 ..."
        let status = Int(buffer[9] - 48) * 100 + Int(buffer[10] - 48) * 10 + Int(buffer[11] - 48)
        var length = 0
        if let at = find(Array("\r\ncontent-length:".utf8), in: head, caseInsensitive: true) {
            var index = at + 17
            while buffer[index] == 32 { index += 1 }
            while buffer[index] >= 48 && buffer[index] <= 57 { length = length * 10 + Int(buffer[index] - 48); index += 1 }
        }
        precondition(headerEnd + length <= buffer.count, "response of \(length) bytes is too large")
        while filled < headerEnd + length { fill() }
        body = Array(buffer[headerEnd..<(headerEnd + length)])[...]  // a copy: a slice would keep the buffer shared
        return status
    }

    private func fill() {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, $0.count - filled, 0) }
        precondition(n > 0, "connection closed by the server")
        filled += n
    }
}

/// The index of the first occurrence of `needle` in `haystack` (ASCII case-insensitive when asked).
func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>, caseInsensitive: Bool = false) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    var index = haystack.startIndex
    let last = haystack.endIndex - needle.count
    while index <= last {
        var matched = 0
        while matched < needle.count {
            var byte = haystack[index + matched]
            if caseInsensitive && byte >= 65 && byte <= 90 { byte += 32 }
            if byte != needle[matched] { break }
            matched += 1
        }
        if matched == needle.count { return index }
        index += 1
    }
    return nil
}

/// Every string value of `"name":"…"` members (receipts and member ids hold no escapes).
func values(of name: String, in body: ArraySlice<UInt8>) -> [String] {
    let needle = Array("\"\(name)\":\"".utf8)
    var found: [String] = []
    var rest = body
    while let at = find(needle, in: rest) {
        let start = at + needle.count
        var end = start
        while end < rest.endIndex && rest[end] != UInt8(ascii: "\"") { end += 1 }
        found.append(String(decoding: rest[start..<end], as: UTF8.self))
        rest = rest[end...]
    }
    return found
}

/// How many times `needle` occurs in `body`.
func count(of needle: String, in body: ArraySlice<UInt8>) -> Int {
    let bytes = Array(needle.utf8)
    var total = 0
    var rest = body
    while let at = find(bytes, in: rest) {
        total += 1
        rest = rest[(at + bytes.count)...]
    }
    return total
}
