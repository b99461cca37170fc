import FerryHTTP
import Logging
import Synchronization
import Testing

/// The access log line and request metadata.
@Suite("Access log and request metadata")
struct HTTPAccessLogTests {
    /// Collects log messages in memory.
    struct RecordingHandler: LogHandler {
        let sink: Sink
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            sink.messages.withLock { $0.append("\(event.level) \(event.message)") }
        }
    }

    final class Sink: Sendable {
        let messages = Mutex<[String]>([])
    }

    @Test func accessLog_HasMethodPathStatusAndBytes() throws {
        let sink = Sink()
        var logger = Logger(label: "access") { _ in RecordingHandler(sink: sink) }
        logger.logLevel = .info
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 1
        configuration.accessLogLevel = .info
        let server = HTTPServer(configuration: configuration, router: makeTestRouter(), logger: logger)
        try server.start()
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawClient(port: server.boundPort)
        client.send("GET /echo/abc HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        let lines = sink.messages.withLock { $0 }
        #expect(lines.contains { $0.hasPrefix("info GET /echo/abc 200 3B ") })
    }

    @Test func accessLog_IsSilent_WhenLoggerLevelIsHigher() throws {
        let sink = Sink()
        var logger = Logger(label: "access") { _ in RecordingHandler(sink: sink) }
        logger.logLevel = .info
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 1
        configuration.accessLogLevel = .debug
        let server = HTTPServer(configuration: configuration, router: makeTestRouter(), logger: logger)
        try server.start()
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawClient(port: server.boundPort)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        #expect(!sink.messages.withLock { $0 }.contains { $0.contains("GET /") })
    }

    @Test func request_CarriesRemoteAddressHeadersAndID() throws {
        let sink = Sink()
        try withServer(handler: { request, responder in
            sink.messages.withLock {
                $0 = [
                    request.remoteAddress.host, request.headers["x-custom"] ?? "",
                    request.headers.values(for: "X-Multi").joined(separator: ","), request.requestID,
                ]
            }
            responder.respond(HTTPResponse(status: .noContent))
        }) { _, port in
            let client = try RawClient(port: port)
            client.send(
                "GET / HTTP/1.1\r\nHost: x\r\nX-Custom: v\r\nX-Multi: 1\r\nx-multi: 2\r\nX-Request-Id: id-7\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 204)
            #expect(response.header("Content-Length") == nil)
            #expect(sink.messages.withLock { $0 } == ["127.0.0.1", "v", "1,2", "id-7"])
        }
    }
}
