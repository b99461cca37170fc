import FerryHTTP
import FerryTesting
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Starting and stopping.
@Suite("Server lifecycle")
struct HTTPServerLifecycleTests {
    static func makeServer(_ configure: (inout HTTPServer.Configuration) -> Void = { _ in }) -> HTTPServer {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 2
        configure(&configuration)
        return HTTPServer(configuration: configuration, router: makeTestRouter(), logger: Logger(label: "t"))
    }

    @Test func start_Throws_WhenHostOrPortIsInvalid() {
        #expect(throws: HTTPServerError.invalidHost("not-an-ip")) {
            try Self.makeServer { $0.host = "not-an-ip" }.start()
        }
        #expect(throws: HTTPServerError.invalidPort(70000)) {
            try Self.makeServer { $0.port = 70000 }.start()
        }
    }

    @Test func start_Throws_WhenPortIsTaken() throws {
        // A plain listener without SO_REUSEPORT holds the port exclusively.
        let (fd, port) = try #require(LoopbackSocket.bound(listen: true))
        defer { close(fd) }
        #expect(throws: HTTPServerError.addressInUse(host: "127.0.0.1", port: port)) {
            try Self.makeServer { $0.port = port }.start()
        }
    }

    @Test func start_Throws_WhenAnotherServerListensOnThePort() throws {
        // Both use SO_REUSEPORT listeners: without the exclusive probe the second would join the first's group
        // and take a share of its connections.
        let first = Self.makeServer()
        try first.start()
        defer { first.shutdown() }
        let port = first.boundPort
        #expect(throws: HTTPServerError.addressInUse(host: "127.0.0.1", port: port)) {
            try Self.makeServer { $0.port = port }.start()
        }
    }

    @Test func start_Throws_WhenStartedTwice() throws {
        let server = Self.makeServer()
        try server.start()
        defer { server.shutdown() }
        #expect(throws: HTTPServerError.alreadyStarted) { try server.start() }
    }

    @Test func shutdown_IsIdempotent_AndWorksWithoutStart() throws {
        Self.makeServer().shutdown()
        let server = Self.makeServer()
        try server.start()
        #expect(!server.isShuttingDown)
        server.shutdown()
        #expect(server.isShuttingDown)
        server.shutdown()
    }

    @Test func shutdown_FromAHandler_DoesNotDeadlock() throws {
        let box = ServerBox()
        var router = Router()
        router.add(.POST, "/stop") { _, responder in
            responder.respond(HTTPResponse(status: .accepted))
            box.server?.shutdown(gracePeriod: .seconds(1))
        }
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 1
        let server = HTTPServer(configuration: configuration, router: router, logger: Logger(label: "t"))
        box.server = server
        try server.start()
        let client = try RawConnection(port: server.boundPort)
        client.send("POST /stop HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        #expect(try client.readResponse().status == 202)
        #expect(client.waitForClose())
        #expect(eventually { server.openConnectionCount == 0 })
        server.shutdown()
    }

    final class ServerBox: @unchecked Sendable {
        // Written once before the server starts, read by the handler afterwards.
        var server: HTTPServer?
    }
}
