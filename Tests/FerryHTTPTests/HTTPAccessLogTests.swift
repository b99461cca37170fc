import FerryHTTP
import FerryTesting
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
            sink.records.withLock { $0.append((event.message.description, event.metadata ?? [:])) }
        }
    }

    final class Sink: Sendable {
        let messages = Mutex<[String]>([])
        let records = Mutex<[(message: String, metadata: Logger.Metadata)]>([])
    }

    @Test func accessLog_HasRequestIDMethodRouteStatusBytesAndDuration() throws {
        let sink = Sink()
        var logger = Logger(label: "access") { _ in RecordingHandler(sink: sink) }
        logger.logLevel = .info
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 1
        configuration.accessLogLevel = .info
        let server = HTTPServer(configuration: configuration, router: makeTestRouter(), logger: logger)
        try server.start()
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawConnection(port: server.boundPort)
        client.send("GET /echo/abc HTTP/1.1\r\nHost: x\r\nX-Request-Id: rid-1\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        #expect(try client.readResponse().status == 200)
        let records = sink.records.withLock { $0 }.filter { $0.message == "request" }
        try #require(records.count == 2)
        let get = records[0].metadata.mapValues { "\($0)" }
        #expect(get["request_id"] == "rid-1")
        #expect(get["method"] == "GET")
        #expect(get["route"] == "/echo/{name}")
        #expect(get["path"] == "/echo/abc")
        #expect(get["status"] == "200")
        #expect(get["bytes_in"] == "0")
        #expect(get["bytes_out"] == "3")
        #expect(get["user"] == "-")
        #expect(get["duration_ms"].map { $0.contains(".") && Double($0) != nil } == true)
        let post = records[1].metadata.mapValues { "\($0)" }
        #expect(post["route"] == "/echo")
        #expect(post["bytes_in"] == "5")
        #expect(post["bytes_out"] == "5")
    }

    @Test func accessLog_RouteIsDash_WhenNoRouteMatched() throws {
        let sink = Sink()
        var logger = Logger(label: "access") { _ in RecordingHandler(sink: sink) }
        logger.logLevel = .debug
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 1
        let server = HTTPServer(configuration: configuration, router: makeTestRouter(), logger: logger)
        try server.start()
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawConnection(port: server.boundPort)
        client.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 404)
        let records = sink.records.withLock { $0 }.filter { $0.message == "request" }
        #expect(records.map { "\($0.metadata["route"] ?? "")" } == ["-"])
        #expect(records.map { "\($0.metadata["status"] ?? "")" } == ["404"])
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
        let client = try RawConnection(port: server.boundPort)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        #expect(!sink.messages.withLock { $0 }.contains { $0.contains("request") })
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
            let client = try RawConnection(port: port)
            client.send(
                "GET / HTTP/1.1\r\nHost: x\r\nX-Custom: v\r\nX-Multi: 1\r\nx-multi: 2\r\nX-Request-Id: id-7\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 204)
            #expect(response.header("Content-Length") == nil)
            #expect(sink.messages.withLock { $0 } == ["127.0.0.1", "v", "1,2", "id-7"])
        }
    }
}
