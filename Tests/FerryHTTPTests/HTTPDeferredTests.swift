import FerryHTTP
import FerrySystem
import FerryTesting
import Logging
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Held (deferred) responses, streams, close notification and leak checks.
@Suite("Deferred responses, streams and lifecycle")
struct HTTPDeferredTests {
    /// Holds responders until the test answers them.
    final class Holder: Sendable {
        let responders = Mutex<[HTTPResponder]>([])
        let closed = Atomic<Int>(0)
        var count: Int { responders.withLock { $0.count } }
        func take() -> [HTTPResponder] {
            responders.withLock { r in
                defer { r = [] }
                return r
            }
        }
    }

    static func holdingRouter(_ holder: Holder) -> Router {
        var router = makeTestRouter()
        router.add(.GET, "/hold") { _, responder in
            responder.onClose { holder.closed.add(1, ordering: .relaxed) }
            holder.responders.withLock { $0.append(responder) }
        }
        router.add(.GET, "/stream") { _, responder in
            let writer = responder.startStream(headers: ["Content-Type": "text/event-stream"])
            SystemThread.detached(name: "test-answer") {
                for i in 0..<3 { writer.write("data: \(i)\n\n") }
                writer.finish()
            }
        }
        return router
    }

    @Test func deferredResponse_FromAnotherThread_IsDelivered() throws {
        let holder = Holder()
        try withServer(router: Self.holdingRouter(holder)) { server, port in
            let client = try RawConnection(port: port)
            client.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(eventually { server.heldRequestCount == 1 })
            let responders = holder.take()
            #expect(responders.first?.isConnectionOpen == true)
            SystemThread.detached(name: "test-answer") { responders[0].respond(.text("late")) }
            #expect(try client.readResponse().text == "late")
            #expect(eventually { server.heldRequestCount == 0 })
            // The connection is reusable afterwards.
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "hello")
        }
    }

    @Test func pipelinedInput_IsBufferedThenServed_WhileARequestIsHeld() throws {
        let holder = Holder()
        try withServer(router: Self.holdingRouter(holder)) { server, port in
            let client = try RawConnection(port: port)
            client.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(eventually { server.heldRequestCount == 1 })
            // More pipelined bytes than the server buffers while a request is held: it pauses reading.
            var batch = ""
            for i in 0..<3000 { batch += "GET /seq/\(i) HTTP/1.1\r\nHost: x\r\nX-Pad: padding-padding\r\n\r\n" }
            let pipelined = batch
            SystemThread.detached(name: "test-answer") { client.send(pipelined) }
            usleep(50_000)
            for responder in holder.take() { responder.respond(.text("held")) }
            #expect(try client.readResponse().text == "held")
            for i in 0..<3000 {
                let text = try client.readResponse().text
                if text != "\(i)" {
                    Issue.record("response \(i) was \(text)")
                    break
                }
            }
        }
    }

    @Test func stream_ToHTTP10Client_IsDelimitedByClose() throws {
        try withServer(router: Self.holdingRouter(Holder())) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET /stream HTTP/1.0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.header("Transfer-Encoding") == nil)
            #expect(response.text == "data: 0\n\ndata: 1\n\ndata: 2\n\n")
        }
    }

    @Test func manyHeldRequests_CostNoThreads_AndAllComplete() throws {
        let holder = Holder()
        try withServer(router: Self.holdingRouter(holder)) { server, port in
            let clients = try (0..<200).map { _ in try RawConnection(port: port) }
            for client in clients { client.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n") }
            #expect(eventually { server.heldRequestCount == 200 })
            let responders = holder.take()
            SystemThread.detached(name: "test-answer") { for r in responders { r.respond(.text("done")) } }
            for client in clients { #expect(try client.readResponse().text == "done") }
            #expect(eventually { server.heldRequestCount == 0 })
        }
    }

    @Test func clientVanishing_MidLongPoll_ReleasesHeldRequestAndConnection() throws {
        let holder = Holder()
        try withServer(router: Self.holdingRouter(holder)) { server, port in
            do {
                let client = try RawConnection(port: port)
                client.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(eventually { server.heldRequestCount == 1 })
            }  // client closes here
            #expect(eventually { server.heldRequestCount == 0 && server.openConnectionCount == 0 })
            #expect(holder.closed.load(ordering: .relaxed) == 1)
            let responders = holder.take()
            #expect(responders.first?.isConnectionOpen == false)
            #expect(responders.first?.respond(.text("too late")) == false)
        }
    }

    @Test func clientVanishing_MidBody_LeavesNoConnection() throws {
        try withServer(router: makeTestRouter()) { server, port in
            var clients: [RawConnection] = []
            for _ in 0..<10 {
                let client = try RawConnection(port: port)
                client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npartial")
                clients.append(client)
            }
            #expect(eventually { server.openConnectionCount == 10 })
            clients.removeAll()  // vanish mid-body
            #expect(eventually { server.openConnectionCount == 0 })
            let client = try RawConnection(port: port)
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test func clientReset_MidLongPoll_ReleasesHeldRequest() throws {
        let holder = Holder()
        try withServer(router: Self.holdingRouter(holder)) { server, port in
            let client = try RawConnection(port: port)
            client.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(eventually { server.heldRequestCount == 1 })
            client.reset()
            #expect(eventually { server.heldRequestCount == 0 && server.openConnectionCount == 0 })
            #expect(holder.closed.load(ordering: .relaxed) == 1)
        }
    }

    @Test func stream_SendsChunkedEvents() throws {
        try withServer(router: Self.holdingRouter(Holder())) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.header("Transfer-Encoding") == "chunked")
            #expect(response.header("Content-Type") == "text/event-stream")
            #expect(response.text == "data: 0\n\ndata: 1\n\ndata: 2\n\n")
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "hello")
        }
    }

    @Test func stream_ClientThatStopsReading_IsDisconnected() throws {
        let holder = Holder()
        var router = Router()
        router.add(.GET, "/flood") { _, responder in
            let writer = responder.startStream()
            writer.onClose { holder.closed.add(1, ordering: .relaxed) }
            holder.responders.withLock { $0.append(responder) }
            SystemThread.detached(name: "test-answer") {
                let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
                for _ in 0..<4096 where writer.write(chunk) { usleep(200) }
            }
        }
        try withServer(configure: { $0.maxStreamBufferBytes = 256 * 1024 }, router: router) { server, port in
            let client = try RawConnection(port: port)
            client.send("GET /flood HTTP/1.1\r\nHost: x\r\n\r\n")
            // Never read: the server must drop us instead of buffering without bound.
            #expect(eventually { holder.count == 1 })
            #expect(eventually { server.openConnectionCount == 0 })
            #expect(holder.closed.load(ordering: .relaxed) == 1)
        }
    }

    @Test func shutdown_AnswersHeldRequestsThroughHook_AndClosesIdleConnections() throws {
        let holder = Holder()
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 2
        let server = HTTPServer(
            configuration: configuration, router: Self.holdingRouter(holder), logger: .init(label: "t"))
        try server.start()
        server.onShutdown {
            for responder in holder.take() { responder.respond(.text("shutting down")) }
        }
        let idle = try RawConnection(port: server.boundPort)
        idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try idle.readResponse()
        let polling = try RawConnection(port: server.boundPort)
        polling.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(eventually { server.heldRequestCount == 1 })
        server.shutdown(gracePeriod: .seconds(5))
        let answer = try polling.readResponse()
        #expect(answer.text == "shutting down")
        #expect(answer.header("Connection") == "close")
        #expect(idle.waitForClose())
        #expect(server.openConnectionCount == 0)
        #expect(throws: (any Error).self) { _ = try RawConnection(port: server.boundPort) }
    }

    @Test func shutdown_ClosesUnansweredRequests_AfterGracePeriod() throws {
        let holder = Holder()
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.loopCount = 1
        let server = HTTPServer(
            configuration: configuration, router: Self.holdingRouter(holder), logger: .init(label: "t"))
        try server.start()
        let polling = try RawConnection(port: server.boundPort)
        polling.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(eventually { server.heldRequestCount == 1 })
        server.shutdown(gracePeriod: .milliseconds(50))
        #expect(polling.waitForClose())
        #expect(server.heldRequestCount == 0)
        #expect(holder.closed.load(ordering: .relaxed) == 1)
    }
}
