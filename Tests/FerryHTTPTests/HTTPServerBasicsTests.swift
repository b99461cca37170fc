import FerryHTTP
import FerrySystem
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("HTTP basics over real sockets")
struct HTTPServerBasicsTests {
    @Test func get_Returns200WithBodyLengthAndRequestID() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello")
            #expect(response.header("Content-Length") == "5")
            #expect(response.header("X-Request-Id")?.isEmpty == false)
            #expect(response.header("Date") != nil)
        }
    }

    @Test func requestID_IsEchoed_WhenClientSendsOne() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123\r\n\r\n")
            #expect(try client.readResponse().header("X-Request-Id") == "abc-123")
        }
    }

    @Test func requestIDs_AreUnique_WhenGenerated() throws {
        try withServer(router: makeTestRouter()) { _, port in
            var seen = Set<String>()
            for _ in 0..<3 {
                let client = try RawConnection(port: port)
                for _ in 0..<20 {
                    client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                    seen.insert(try client.readResponse().header("X-Request-Id") ?? "")
                }
            }
            #expect(seen.count == 60)
        }
    }

    @Test func pipelinedRequests_AreAnsweredInOrder() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            var batch = ""
            for i in 0..<50 { batch += "GET /seq/\(i) HTTP/1.1\r\nHost: x\r\n\r\n" }
            client.send(batch)
            for i in 0..<50 { #expect(try client.readResponse().text == "\(i)") }
        }
    }

    @Test func pipelinedRequests_StayInOrder_WhenOneIsDeferred() throws {
        var router = Router()
        router.add(.GET, "/slow") { _, responder in
            SystemThread.detached(name: "test-answer") {
                usleep(50_000)
                responder.respond(.text("slow"))
            }
        }
        router.add(.GET, "/fast") { _, responder in responder.respond(.text("fast")) }
        try withServer(router: router) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "slow")
            #expect(try client.readResponse().text == "fast")
        }
    }

    @Test func router_Returns404Problem_WhenNoRouteMatches() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 404)
            #expect(response.header("Content-Type") == "application/problem+json")
            #expect(response.text.contains("\"type\":\"urn:ferry:error:not-found\""))
            #expect(response.text.contains("\"status\":404"))
        }
    }

    @Test func router_Returns405WithAllow_WhenMethodDoesNotMatch() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("DELETE /echo HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 405)
            #expect(response.header("Allow") == "POST")
            #expect(response.text.contains("urn:ferry:error:method-not-allowed"))
        }
    }

    @Test func router_DecodesPathParametersAndQuery() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET /echo/a%20b%2Fc HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "a b/c")
            client.send("GET /query?a=1&b=x+y&a=%C3%A9&flag HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "a=1|b=x y|a=é|flag=")
        }
    }

    @Test func head_SendsLengthButNoBody() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try client.readResponse(head: true)
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "5")
            // The next response starts right after the head: no body bytes were sent.
            #expect(try client.readResponse().text == "hello")
        }
    }

    @Test func post_ReadsContentLengthBody_WhenSplitAcrossWrites() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello")
            usleep(10_000)
            client.send(" world")
            #expect(try client.readResponse().text == "hello world")
        }
    }

    @Test func chunkedBody_IsDecoded_WhenSplitAtEveryByteBoundary() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let request = Array(
                ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer-A: 1\r\n\r\n").utf8)
            let client = try RawConnection(port: port)
            for split in 1..<request.count {
                client.send(Array(request[0..<split]))
                client.send(Array(request[split...]))
                let response = try client.readResponse()
                #expect(response.text == "hello 0123456789", "split at \(split)")
            }
        }
    }

    @Test func http10_ClosesAfterResponse_UnlessKeepAlive() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let keep = try RawConnection(port: port)
            keep.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let first = try keep.readResponse()
            #expect(first.header("Connection") == "keep-alive")
            keep.send("GET / HTTP/1.0\r\n\r\n")
            let second = try keep.readResponse()
            #expect(second.header("Connection") == "close")
            #expect(keep.waitForClose())
        }
    }

    @Test func connectionClose_ClosesAfterResponse() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(try client.readResponse().header("Connection") == "close")
            #expect(client.waitForClose())
        }
    }

    @Test func expectContinue_Sends100BeforeBody() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            #expect(try client.readResponse().status == 100)
            client.send("data")
            #expect(try client.readResponse().text == "data")
        }
    }

    @Test func expectContinue_GetsFinal413WithoutReadingBody_WhenTooLarge() throws {
        try withServer(configure: { $0.maxBodyBytes = 10 }, router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.text.contains("urn:ferry:error:body-too-large"))
            #expect(client.waitForClose())
        }
    }

    @Test func asyncRoute_Answers() throws {
        var router = Router()
        router.add(
            .GET, "/async",
            async: { request in
                try await Task.sleep(for: .milliseconds(1))
                return .json("{\"path\":\"\(request.path)\"}")
            })
        try withServer(router: router) { _, port in
            // The route's Task needs a free cooperative thread; other (blocking) tests may hold them for a
            // while, so this read gets a long bound.
            let client = try RawConnection(port: port, receiveTimeoutSeconds: 120)
            client.send("GET /async HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.text == "{\"path\":\"/async\"}")
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
        }
    }

    @Test func registeredRoutes_ListsMethodAndPattern() {
        let routes = makeTestRouter().registeredRoutes
        #expect(routes.contains { $0.method == .GET && $0.pattern == "/echo/{name}" })
        #expect(routes.count == 5)
    }
}
