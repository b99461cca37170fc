import FerryHTTP
import FerryTesting
import Synchronization
import Testing

/// The ``HTTPServerObserver`` hook (what FerryAPI's metrics count) and the server's traffic totals.
@Suite("Server observer and traffic totals")
struct HTTPServerObserverTests {
    /// Keeps every completion it is told about.
    final class Recorder: HTTPServerObserver {
        let completions = Mutex<[HTTPRequestCompletion]>([])
        func requestCompleted(_ completion: HTTPRequestCompletion) { completions.withLock { $0.append(completion) } }
        var all: [HTTPRequestCompletion] { completions.withLock { $0 } }
    }

    static func start(_ router: Router, _ observer: Recorder) throws -> HTTPServer {
        try startServer(router, loops: 1, observer: observer)
    }

    @Test func observer_GetsRouteIndexMethodStatusAndBodySizes() throws {
        let router = makeTestRouter()
        let recorder = Recorder()
        let server = try Self.start(router, recorder)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawConnection(port: server.boundPort)
        client.send("GET /echo/abc HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        #expect(try client.readResponse().status == 200)
        client.send("GET /no/such/path HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 404)
        client.send("DELETE /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 405)
        client.send("HEAD /echo/abc HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse(head: true).status == 200)

        let seen = recorder.all
        try #require(seen.count == 5)
        let echoName = router.routes.first { $0.pattern.text == "/echo/{name}" }!.index
        let echo = router.routes.first { $0.pattern.text == "/echo" }!.index
        #expect(seen[0].routeIndex == echoName && seen[0].method == .GET && seen[0].status == 200)
        #expect(seen[0].requestBodyBytes == 0 && seen[0].responseBodyBytes == 3)
        #expect(seen[1].routeIndex == echo && seen[1].method == .POST)
        #expect(seen[1].requestBodyBytes == 5 && seen[1].responseBodyBytes == 5)
        #expect(seen[2].routeIndex == nil && seen[2].status == 404)
        #expect(seen[3].routeIndex == nil && seen[3].status == 405 && seen[3].method == .DELETE)
        #expect(seen[4].routeIndex == echoName && seen[4].method == .HEAD && seen[4].responseBodyBytes == 0)
        #expect(router.routes.enumerated().allSatisfy { $0.offset == $0.element.index })
    }

    @Test func observer_HearsOfStreams_FinishedOrCutOff() throws {
        var router = Router()
        router.add(.GET, "/stream") { _, responder in
            let writer = responder.startStream(status: 201)
            writer.write("abc")
            writer.finish()
        }
        router.add(.GET, "/open") { _, responder in
            responder.startStream().write("xy")  // never finished: the client hangs up
        }
        let recorder = Recorder()
        let server = try Self.start(router, recorder)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawConnection(port: server.boundPort)
        client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 201)
        #expect(eventually { recorder.all.count == 1 })
        #expect(recorder.all.first?.status == 201)
        #expect(recorder.all.first?.responseBodyBytes == 3)

        let other = try RawConnection(port: server.boundPort)
        other.send("GET /open HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try other.readHead().status == 200)
        other.reset()
        #expect(eventually { recorder.all.count == 2 })
        #expect(recorder.all.last?.routeIndex == 1)
        #expect(recorder.all.last?.responseBodyBytes == 2)
    }

    @Test func trafficTotals_CountSocketBytesAndConnections() throws {
        let recorder = Recorder()
        let server = try Self.start(makeTestRouter(), recorder)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        #expect(server.trafficTotals.connectionsAccepted == 0)
        let request = "GET /echo/abc HTTP/1.1\r\nHost: x\r\n\r\n"
        let client = try RawConnection(port: server.boundPort)
        client.send(request)
        #expect(try client.readResponse().status == 200)
        let totals = server.trafficTotals
        #expect(totals.connectionsAccepted == 1)
        #expect(totals.bytesReceived == request.utf8.count)
        #expect(eventually { server.trafficTotals.bytesSent > 3 })
    }
}
