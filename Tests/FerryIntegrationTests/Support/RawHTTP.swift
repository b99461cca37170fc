import CFerryLinux
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 exchange over a plain socket, for requests libcurl will not send as written (for example a POST
/// without any `Content-Type`: libcurl adds `application/x-www-form-urlencoded`). Blocking, with a 10 s receive
/// timeout; call it off the cooperative pool (``rawExchange(port:request:)``).
enum RawHTTP {
    enum Failure: Error { case connect(Int32), closed, malformed }

    /// Sends `request` (complete bytes, `Connection: close` expected) and reads the response until EOF.
    static func exchange(port: Int, request: [UInt8]) throws -> (status: Int, head: String, body: [UInt8]) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure.connect(errno) }
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure.closed }
            sent += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65536, 0) }
            if n <= 0 { break }
            received.append(contentsOf: chunk[0..<n])
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let split = (0..<max(0, received.count - 3)).first(where: { Array(received[$0..<$0 + 4]) == separator })
        else { throw Failure.malformed }
        let head = String(decoding: received[0..<split], as: UTF8.self)
        let statusText = head.split(separator: " ").dropFirst().first ?? ""
        guard let status = Int(statusText) else { throw Failure.malformed }
        return (status, head, Array(received[(split + 4)...]))
    }
}

/// Runs ``RawHTTP/exchange(port:request:)`` on a Dispatch thread (it blocks).
func rawExchange(port: Int, request: String) async throws -> (status: Int, head: String, body: [UInt8]) {
    try await onDispatchThread { try RawHTTP.exchange(port: port, request: Array(request.utf8)) }
}

/// Runs blocking work on a Dispatch global queue and awaits its result, keeping cooperative threads free.
func onDispatchThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}
