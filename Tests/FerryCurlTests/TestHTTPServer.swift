import FerrySystem
import Synchronization

@testable import FerryCurl

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny blocking HTTP/1.1 server on 127.0.0.1 for the client tests: one thread accepts, one thread per
/// connection serves keep-alive requests with `Content-Length` bodies. Connections end when their client closes
/// them (every test releases its client); a 120 s socket timeout is only a safety net against a misbehaving
/// client. It must stay far above any pause between a test's requests: an idle timeout that fired while the
/// cooperative pool was busy would close a keep-alive connection and fail the reuse tests.
///
/// Routes: `/echo` (body back; `X-Method`, `X-Request-Headers` count), `/headers` (request headers as lines),
/// `/bytes/N` (N patterned bytes), `/status/N`, `/redirect` (302), `/hang` (never answers; waits for the client
/// to go away), `/stream/N` (chunked SSE, N events `data: i`).
final class TestHTTPServer: Sendable {
    let port: Int
    /// Connections accepted so far.
    let acceptedConnections = Atomic<Int>(0)
    private let listener: Int32

    var baseURL: String { "http://127.0.0.1:\(port)" }

    init() throws {
        let (fd, port) = try Self.bindLoopback(listen: true)
        listener = fd
        self.port = port
        SystemThread.detached(name: "test-http-accept") { [self] in acceptLoop() }
    }

    /// Stops accepting (the accept thread closes the socket). Open connections end when their clients close.
    func stop() { shutdown(listener, Int32(SHUT_RDWR)) }

    /// A loopback port on which nothing listens (bound, then closed).
    static func unusedPort() throws -> Int {
        let (fd, port) = try bindLoopback(listen: false)
        close(fd)
        return port
    }

    struct SocketFailure: Error { let call: String }

    private static func bindLoopback(listen shouldListen: Bool) throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketFailure(call: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound, !shouldListen || listen(fd, 128) == 0 else {
            close(fd)
            throw SocketFailure(call: "bind/listen")
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR { continue }
                break
            }
            acceptedConnections.add(1, ordering: .relaxed)
            var timeout = timeval(tv_sec: 120, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            SystemThread.detached(name: "test-http-serve") { Self.serve(connection) }
        }
        close(listener)
    }

    // MARK: Connection handling

    private struct Request {
        var method = ""
        var path = ""
        var headers: [(String, String)] = []
        var body: [UInt8] = []
    }

    private static func serve(_ fd: Int32) {
        defer { close(fd) }
        var buffer: [UInt8] = []
        while let request = readRequest(fd, &buffer) {
            guard respond(to: request, on: fd) else { return }
        }
    }

    /// Reads one request; nil when the client closed the connection or sent garbage.
    private static func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> Request? {
        var headerEnd: Int?
        while true {
            if let end = find([13, 10, 13, 10], in: buffer) {
                headerEnd = end
                break
            }
            guard buffer.count < 1 << 16, receive(fd, into: &buffer) else { return nil }
        }
        guard let headerEnd else { return nil }
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst().split(separator: " ").map(String.init)
        guard requestLine.count == 3 else { return nil }
        var request = Request(method: requestLine[0], path: requestLine[1])
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            request.headers.append((String(line[..<colon]), String(value)))
        }
        let length = request.headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        buffer.removeFirst(headerEnd + 4)
        while buffer.count < length {
            guard receive(fd, into: &buffer) else { return nil }
        }
        request.body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return request
    }

    /// Writes the response; false when the connection should close.
    private static func respond(to request: Request, on fd: Int32) -> Bool {
        let parts = request.path.split(separator: "/").map(String.init)
        switch parts.first ?? "" {
        case "echo":
            return sendResponse(
                fd, 200, ["X-Method": request.method, "X-Request-Headers": "\(request.headers.count)"], request.body)
        case "headers":
            let lines = request.headers.map { "\($0.0): \($0.1)\n" }.joined()
            return sendResponse(fd, 200, ["X-Dup": "a", "X-Dup ": "b", "X-Spaced": "  padded  "], Array(lines.utf8))
        case "bytes":
            let count = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            return sendResponse(fd, 200, [:], (0..<count).map { UInt8(truncatingIfNeeded: $0 % 251) })
        case "status":
            return sendResponse(fd, parts.count > 1 ? Int(parts[1]) ?? 500 : 500, [:], [])
        case "redirect":
            return sendResponse(fd, 302, ["Location": "/echo"], Array("moved".utf8))
        case "hang":
            var sink: [UInt8] = []
            while receive(fd, into: &sink) { sink.removeAll() }  // until the client gives up
            return false
        case "stream":
            let events = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            guard sendAll(fd, Array(head.utf8)) else { return false }
            for i in 0..<events {
                let event = Array("data: \(i)\n\n".utf8)
                guard sendAll(fd, Array((String(event.count, radix: 16) + "\r\n").utf8) + event + [13, 10]) else {
                    return false
                }
            }
            return sendAll(fd, Array("0\r\n\r\n".utf8))
        default:
            return sendResponse(fd, 404, [:], Array("no such route".utf8))
        }
    }

    private static func sendResponse(_ fd: Int32, _ status: Int, _ headers: [String: String], _ body: [UInt8]) -> Bool {
        var head = "HTTP/1.1 \(status) Test\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            head += "\(name.trimmingSuffixSpaces): \(value)\r\n"
        }
        return sendAll(fd, Array((head + "\r\n").utf8) + body)
    }

    private static func receive(_ fd: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    private static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}

extension String {
    /// Lets a dictionary hold two headers with the same name ("X-Dup" and "X-Dup ").
    fileprivate var trimmingSuffixSpaces: String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
