import FerryHTTP
import FerryTesting

/// The server the client tests talk to: a ``TestHTTPReceiver`` (FerryHTTP on 127.0.0.1) with these routes:
/// `/echo` (body back; `X-Method`, `X-Request-Headers` count), `/headers` (request headers as lines; answers
/// with `X-Dup` twice and a padded `X-Spaced`), `/bytes/N` (N patterned bytes), `/status/N`, `/redirect` (302),
/// `/hang` (never answers; the client gives up), `/stream/N` (chunked SSE, N events `data: i`, written in
/// batches as the client takes them, until it goes away). Stop it at the end of each test.
enum CurlTestServer {
    static func start() throws -> TestHTTPReceiver {
        try TestHTTPReceiver(handler: { received, responder in handle(received.request, responder) })
    }

    private static func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let parts = request.pathSegments
        func number(_ fallback: Int) -> Int { parts.count > 1 ? Int(parts[1]) ?? fallback : fallback }
        switch parts.first ?? "" {
        case "echo":
            let headers: HTTPHeaders = [
                "X-Method": request.method.rawValue, "X-Request-Headers": "\(request.headers.count)",
            ]
            responder.respond(HTTPResponse(headers: headers, body: request.body))
        case "headers":
            let lines = request.headers.map { "\($0.name): \($0.value)\n" }.joined()
            let headers = HTTPHeaders([("X-Dup", "a"), ("X-Dup", "b"), ("X-Spaced", "  padded  ")])
            responder.respond(HTTPResponse(headers: headers, body: Array(lines.utf8)))
        case "bytes":
            responder.respond(HTTPResponse(body: (0..<number(0)).map { UInt8(truncatingIfNeeded: $0 % 251) }))
        case "status":
            responder.respond(HTTPResponse(status: HTTPStatus(number(500))))
        case "redirect":
            responder.respond(HTTPResponse(status: 302, headers: ["Location": "/echo"], body: Array("moved".utf8)))
        case "hang":
            break  // held until the client gives up
        case "stream":
            let writer = responder.startStream(headers: ["Content-Type": "text/event-stream"])
            stream(writer, from: 0, to: number(0))
        default:
            responder.respond(HTTPResponse(status: 404, body: Array("no such route".utf8)))
        }
    }

    /// Writes events `next..<end` 64 at a time, each batch once the client has taken the one before.
    private static func stream(_ writer: HTTPStreamWriter, from next: Int, to end: Int) {
        guard next < end, writer.isConnectionOpen else { return writer.finish() }
        let last = min(end, next + 64)
        guard writer.write((next..<last).map { "data: \($0)\n\n" }.joined()) else { return }
        writer.whenDrained(below: 16 << 10) { stream(writer, from: last, to: end) }
    }
}
