import FerryHTTP
import FerryTesting

/// The webhook target the transport tests push to: a ``TestHTTPReceiver`` that records every request and answers
/// by path: `/ok` (204), `/status/N` (N), `/retry/N?after=V` (N with `Retry-After: V`), `/redirect` (302 to
/// `/ok`), `/big/N/BYTES` (status N with a BYTES-long body), `/hang` (never answered; the client times out).
/// Stop it at the end of each test.
enum WebhookTestServer {
    static func start() throws -> TestHTTPReceiver {
        try TestHTTPReceiver(answer: { answer($0.request) })
    }

    private static func answer(_ request: HTTPRequest) -> TestHTTPReceiver.Answer {
        let parts = request.pathSegments
        func number(_ index: Int) -> Int { parts.count > index ? Int(parts[index]) ?? 500 : 500 }
        switch parts.first ?? "" {
        case "ok": return .status(204)
        case "status": return .status(number(1), body: Array("status body".utf8))
        case "retry": return .status(number(1), headers: [("Retry-After", request.query("after") ?? "")])
        case "redirect": return .status(302, headers: [("Location", "/ok")])
        case "big": return .status(number(1), body: [UInt8](repeating: UInt8(ascii: "x"), count: number(2)))
        case "hang": return .hang
        default: return .status(404)
        }
    }
}
