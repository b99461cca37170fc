import FerryTesting
import Synchronization
import Testing

@testable import FerryCurl

struct CurlHTTPClientTests {
    @Test func send_RoundTripsGETAndPOST() throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let client = CurlHTTPClient()
        let get = try client.send(CurlRequest(url: server.baseURL + "/echo"))
        #expect(get.status == 200)
        #expect(get.header("x-method") == "GET")
        #expect(get.body.isEmpty)
        let post = try client.send(
            CurlRequest(method: "POST", url: server.baseURL + "/echo", body: Array("hello".utf8)))
        #expect(post.status == 200 && post.header("X-Method") == "POST" && post.bodyText == "hello")
        let put = try client.send(CurlRequest(method: "PUT", url: server.baseURL + "/echo", body: [1, 2, 3]))
        #expect(put.header("X-Method") == "PUT" && put.body == [1, 2, 3])
        let delete = try client.send(CurlRequest(method: "DELETE", url: server.baseURL + "/echo"))
        #expect(delete.header("X-Method") == "DELETE")
        let emptyPost = try client.send(CurlRequest(method: "POST", url: server.baseURL + "/echo"))
        #expect(emptyPost.header("X-Method") == "POST" && emptyPost.body.isEmpty)
        #expect(post.totalTime > .zero)
    }

    @Test func send_SendsHeadersInOrder_AndParsesResponseHeadersInOrder() throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let request = CurlRequest(
            url: server.baseURL + "/headers", headers: [("X-One", "1"), ("X-Two", "two words"), ("X-One", "again")])
        let response = try CurlHTTPClient().send(request)
        let lines = response.bodyText.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("X-") } == ["X-One: 1", "X-Two: two words", "X-One: again"])
        #expect(!lines.contains { $0.lowercased().hasPrefix("expect") })
        // The handler's fields in order, then the ones FerryHTTP adds.
        let names = ["X-Dup", "X-Dup", "X-Spaced", "Content-Length", "X-Request-Id", "Date"]
        #expect(response.headers.map(\.name) == names)
        #expect(response.headers(named: "x-dup") == ["a", "b"])
        #expect(response.header("X-Spaced") == "padded")
    }

    @Test func send_DoesNotFollowRedirects_AndReturnsErrorStatuses() throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let client = CurlHTTPClient()
        let redirect = try client.send(CurlRequest(url: server.baseURL + "/redirect"))
        #expect(redirect.status == 302 && redirect.header("Location") == "/echo" && redirect.bodyText == "moved")
        #expect(try client.send(CurlRequest(url: server.baseURL + "/status/503")).status == 503)
        #expect(try client.send(CurlRequest(url: server.baseURL + "/nope")).status == 404)
    }

    @Test func send_CarriesLargeBodiesBothWays() throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let client = CurlHTTPClient()
        let upload = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let echoed = try client.send(CurlRequest(method: "POST", url: server.baseURL + "/echo", body: upload))
        #expect(echoed.body == upload)
        let download = try client.send(CurlRequest(url: server.baseURL + "/bytes/2000000"))
        #expect(download.body.count == 2_000_000)
        #expect(download.body == (0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
    }

    @Test func send_ReusesTheKeepAliveConnection() throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let client = CurlHTTPClient()
        var reused: [Bool] = []
        for i in 0..<5 {
            let response = try client.send(CurlRequest(method: "POST", url: server.baseURL + "/echo", body: [UInt8(i)]))
            #expect(response.body == [UInt8(i)])
            reused.append(response.reusedConnection)
        }
        #expect(reused == [false, true, true, true, true])
        #expect(server.acceptedConnections == 1)
    }

    @Test func send_ThrowsTimedOut_WhenTheServerNeverAnswers() throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        #expect(throws: CurlError.timedOut) {
            try CurlHTTPClient().send(CurlRequest(url: server.baseURL + "/hang", timeout: .milliseconds(200)))
        }
    }

    @Test func send_ThrowsConnectionRefused_WhenNothingListens() throws {
        let port = LoopbackSocket.unusedPort()
        #expect(throws: CurlError.connectionRefused) {
            try CurlHTTPClient().send(CurlRequest(url: "http://127.0.0.1:\(port)/"))
        }
    }

    @Test func send_ThrowsTooLarge_WhenTheBodyExceedsTheLimit() throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let client = CurlHTTPClient()
        #expect(throws: CurlError.responseTooLarge(limit: 1 << 20)) {
            try client.send(CurlRequest(url: server.baseURL + "/bytes/2000000", maxResponseBytes: 1 << 20))
        }
        let exact = try client.send(CurlRequest(url: server.baseURL + "/bytes/1000", maxResponseBytes: 1000))
        #expect(exact.body.count == 1000)
    }

    @Test func send_RejectsInvalidRequests_BeforeSending() {
        let client = CurlHTTPClient()
        let url = "http://127.0.0.1:1/"
        #expect(throws: CurlError.invalidRequest("header X-Bad")) {
            try client.send(CurlRequest(url: url, headers: [("X-Bad", "a\r\nInjected: 1")]))
        }
        #expect(throws: CurlError.invalidRequest("method GE T")) {
            try client.send(CurlRequest(method: "GE T", url: url))
        }
        #expect(throws: CurlError.self) { try client.send(CurlRequest(url: "ftp://127.0.0.1:1/file")) }
        #expect(throws: CurlError.self) { try client.send(CurlRequest(url: "not a url")) }
    }

    @Test func stream_DeliversChunkedEventsIncrementally() throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        var received: [UInt8] = []
        let response = try CurlHTTPClient().stream(CurlRequest(url: server.baseURL + "/stream/5")) { bytes in
            received.append(contentsOf: bytes)
            return true
        }
        #expect(response.status == 200 && response.header("Content-Type") == "text/event-stream")
        #expect(response.body.isEmpty)
        #expect(String(decoding: received, as: UTF8.self) == (0..<5).map { "data: \($0)\n\n" }.joined())
    }

    @Test func stream_StopsWhenTheConsumerSaysSo() throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        var calls = 0
        var received: [UInt8] = []
        let response = try CurlHTTPClient().stream(CurlRequest(url: server.baseURL + "/stream/1000000")) { bytes in
            calls += 1
            received.append(contentsOf: bytes)
            return !String(decoding: received, as: UTF8.self).contains("data: 2\n\n")
        }
        #expect(response.status == 200)
        #expect(String(decoding: received, as: UTF8.self).hasPrefix("data: 0\n\ndata: 1\n\ndata: 2\n\n"))
        #expect(received.count < 1_000_000 * 9)
        #expect(calls >= 1)
    }

    @Test func asyncSend_WorksFromManyConcurrentTasks() async throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let client = CurlHTTPClient(maxIdleHandles: 4)
        let url = server.baseURL + "/echo"
        let bodies = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for i in 0..<40 {
                group.addTask {
                    let response = try await client.send(
                        CurlRequest(method: "POST", url: url, body: Array("task \(i)".utf8)))
                    return (i, response.body)
                }
            }
            var results: [Int: [UInt8]] = [:]
            for try await (i, body) in group { results[i] = body }
            return results
        }
        #expect(bodies.count == 40)
        for (i, body) in bodies { #expect(body == Array("task \(i)".utf8)) }
        #expect(server.acceptedConnections <= 40)
    }
}

struct CurlTimeoutConversionTests {
    @Test func milliseconds_ClampsToWhatLibcurlAccepts() {
        #expect(CurlEasyHandle.milliseconds(.milliseconds(250)) == 250)
        #expect(CurlEasyHandle.milliseconds(.microseconds(1)) == 1)
        #expect(CurlEasyHandle.milliseconds(.zero) == 1)
        #expect(CurlEasyHandle.milliseconds(.seconds(-5)) == 1)
        #expect(CurlEasyHandle.milliseconds(.seconds(Int64.max)) == 2_000_000_000)
    }
}
