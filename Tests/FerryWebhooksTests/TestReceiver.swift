import FerryHTTP
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An in-process webhook receiver on FerryHTTP (127.0.0.1, free port) that records every request.
///
/// Routes: `/ok` (204), `/status/N` (N), `/retry/N?after=V` (N with `Retry-After: V`), `/redirect` (302 to
/// `/ok`), `/big/N/BYTES` (status N with a BYTES-long body), `/hang` (never answered; the client times out).
/// Call ``stop()`` at the end of each test.
final class TestReceiver: Sendable {
    let server: HTTPServer
    let port: Int
    private final class Recorder: Sendable {
        let requests = Mutex<[HTTPRequest]>([])
    }
    private let recorder = Recorder()

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var requests: [HTTPRequest] { recorder.requests.withLock { $0 } }

    init() throws {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 1
        let recorder = self.recorder
        server = HTTPServer(
            configuration: configuration,
            handler: { request, responder in
                recorder.requests.withLock { $0.append(request) }
                guard let response = Self.response(to: request) else { return }  // /hang: held, never answered
                responder.respond(response)
            }, logger: Logger(label: "test-receiver"))
        try server.start()
        port = server.boundPort
    }

    func stop() { server.shutdown(gracePeriod: .milliseconds(50)) }

    private static func response(to request: HTTPRequest) -> HTTPResponse? {
        let parts = request.pathSegments
        func number(_ index: Int) -> Int { parts.count > index ? Int(parts[index]) ?? 500 : 500 }
        switch parts.first ?? "" {
        case "ok": return HTTPResponse(status: 204)
        case "status": return HTTPResponse(status: HTTPStatus(number(1)), body: Array("status body".utf8))
        case "retry":
            return HTTPResponse(status: HTTPStatus(number(1)), headers: ["Retry-After": request.query("after") ?? ""])
        case "redirect": return HTTPResponse(status: 302, headers: ["Location": "/ok"])
        case "big":
            return HTTPResponse(
                status: HTTPStatus(number(1)), body: [UInt8](repeating: UInt8(ascii: "x"), count: number(2)))
        case "hang": return nil
        default: return HTTPResponse(status: 404)
        }
    }

    /// A loopback port on which nothing listens (bound, then closed).
    static func unusedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
