import FerryAPI
import FerryAPITesting
import FerryHTTP
import FerryJSON
import FerryServer
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// API.md "HTTP" through the whole server over raw sockets: keep-alive, pipelining, chunked bodies,
/// `Expect: 100-continue`, the limits and the framing errors, connection limits and the header timeout.
struct HTTPConformanceTests {
    /// Runs `body` with a fresh raw connection to `server`, on a Dispatch thread (it blocks).
    static func withConnection<T: Sendable>(
        _ server: TestServer, _ body: @escaping @Sendable (RawConnection) throws -> T
    ) async throws -> T {
        let port = server.port
        return try await onDispatchThread { try body(try RawConnection(port: port)) }
    }

    static func problemType(_ response: RawConnection.Response) -> String? {
        (try? JSONValue.parse(response.body))?["type"].str
    }

    @Test func pipelinedRequests_AreAnsweredInOrder_OnOneConnection() async throws {
        try await withTestServer { server, api in
            try await api.createTopic("pipe")
            let responses = try await Self.withConnection(server) { connection in
                let produce = #"{"records":[{"value":1}]}"#
                connection.send(
                    "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: r1\r\n\r\n"
                        + "POST /v1/topics/pipe/messages HTTP/1.1\r\nHost: x\r\nX-Request-Id: r2\r\n"
                        + "Content-Type: application/json\r\nContent-Length: \(produce.utf8.count)\r\n\r\n\(produce)"
                        + "GET /v1/topics/pipe/partitions/0/messages HTTP/1.1\r\nHost: x\r\nX-Request-Id: r3\r\n\r\n"
                        + "GET /nope HTTP/1.1\r\nHost: x\r\nX-Request-Id: r4\r\n\r\n")
                return try (0..<4).map { _ in try connection.readResponse() }
            }
            #expect(responses.map(\.status) == [200, 200, 200, 404])
            #expect(responses.map { $0.header("X-Request-Id") } == ["r1", "r2", "r3", "r4"])
            #expect(
                responses[2].text.contains(#""value":1"#), "the fetch sees the pipelined produce: \(responses[2].text)")
        }
    }

    @Test func chunkedRequestBody_IsAccepted() async throws {
        try await withTestServer { server, api in
            let response = try await Self.withConnection(server) { connection in
                connection.send(
                    "POST /v1/topics/chunked/messages HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n")
                return try connection.readResponse()
            }
            #expect(response.status == 200, "\(response.text)")
            #expect(try await api.fetch("chunked").messages.first?["value"] == "hello")
        }
    }

    @Test func expectContinue_Gets100_ThenTheFinalResponse() async throws {
        try await withTestServer { server, api in
            let (interim, final) = try await Self.withConnection(server) { connection in
                connection.send(
                    "POST /v1/topics/cont/messages HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                let interim = try connection.readResponse()
                connection.send("hello")
                return (interim, try connection.readResponse())
            }
            #expect(interim.status == 100)
            #expect(final.status == 200, "\(final.text)")
            #expect(try await api.fetch("cont").messages.first?["value"] == "hello")
        }
    }

    @Test func expectContinue_WithBodyTooLarge_Gets413WithoutContinue() async throws {
        try await withTestServer(configure: { $0.http.maxBodyBytes = 1000 }) { server, api in
            let response = try await Self.withConnection(server) { connection in
                connection.send(
                    "POST /v1/topics/big/messages HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: 5000\r\nExpect: 100-continue\r\n\r\n")
                return try connection.readResponse()
            }
            #expect(response.status == 413)
            #expect(Self.problemType(response) == "urn:ferry:error:body-too-large")
            #expect(try await api.get("/v1/topics/big").status == 404)
        }
    }

    @Test func http10Request_IsAnswered() async throws {
        try await withTestServer { server, _ in
            let response = try await Self.withConnection(server) { connection in
                connection.send("GET /healthz HTTP/1.0\r\n\r\n")
                return try connection.readResponse()
            }
            #expect(response.status == 200)
            #expect(response.text.contains(#""status""#))
        }
    }

    @Test func limits_RequestLine414_HeaderBlock431_MissingLength411() async throws {
        try await withTestServer { server, _ in
            let long = try await Self.withConnection(server) { connection in
                connection.send("GET /healthz?pad=\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: x\r\n\r\n")
                return try connection.readResponse()
            }
            #expect(long.status == 414)
            #expect(Self.problemType(long) == "urn:ferry:error:uri-too-long")

            let manyLines = try await Self.withConnection(server) { connection in
                let headers = (0..<101).map { "X-H\($0): v\r\n" }.joined()
                connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\(headers)\r\n")
                return try connection.readResponse()
            }
            #expect(manyLines.status == 431)
            #expect(Self.problemType(manyLines) == "urn:ferry:error:headers-too-large")

            let bigBlock = try await Self.withConnection(server) { connection in
                connection.send(
                    "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 33 * 1024))\r\n\r\n")
                return try connection.readResponse()
            }
            #expect(bigBlock.status == 431)
            #expect(Self.problemType(bigBlock) == "urn:ferry:error:headers-too-large")

            let noLength = try await Self.withConnection(server) { connection in
                connection.send("POST /v1/topics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n")
                return try connection.readResponse()
            }
            #expect(noLength.status == 411)
            #expect(Self.problemType(noLength) == "urn:ferry:error:length-required")
        }
    }

    @Test(arguments: [
        "POST /v1/topics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /v1/topics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "POST /v1/topics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  continued\r\n\r\n",
    ])
    func ambiguousFraming_Gets400BadRequest_AndTheConnectionCloses(request: String) async throws {
        try await withTestServer { server, api in
            let (response, closed) = try await Self.withConnection(server) { connection in
                connection.send(request)
                let response = try connection.readResponse()
                return (response, connection.waitForClose())
            }
            #expect(response.status == 400)
            #expect(Self.problemType(response) == "urn:ferry:error:bad-request")
            #expect(response.header("Content-Type")?.hasPrefix("application/problem+json") == true)
            #expect(closed, "the connection must be closed after a framing error")
            #expect(try await api.get("/v1/topics")["topics"].list?.isEmpty == true)
        }
    }

    @Test func overMaxConnections_NoneIdle_NewConnectionGets503AndIsClosed() async throws {
        try await withTestServer(configure: { $0.http.maxConnections = 2 }) { server, _ in
            let (third, closed, firstStillServed) = try await Self.withConnection(server) { one in
                let two = try RawConnection(port: server.port)
                // Both accepted (answered once), then busy: a request head under way on each, and a sweep
                // later (so no loop still reports them idle).
                for connection in [one, two] {
                    connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                    _ = try connection.readResponse()
                    connection.send("GET /healthz HTTP/1.1\r\n")
                }
                usleep(300_000)
                let three = try RawConnection(port: server.port)
                three.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                let third = try three.readResponse()
                one.send("Host: x\r\n\r\n")
                return (third, three.waitForClose(), try one.readResponse().status)
            }
            #expect(third.status == 503)
            #expect(Self.problemType(third) == "urn:ferry:error:unavailable")
            #expect(closed)
            #expect(firstStillServed == 200)
        }
    }

    @Test func overMaxConnections_TheLongestIdleKeepAliveConnectionMakesRoom() async throws {
        try await withTestServer(configure: { $0.http.maxConnections = 2 }) { server, _ in
            let (third, statuses) = try await Self.withConnection(server) { one -> (Int, [Int]) in
                let two = try RawConnection(port: server.port)
                one.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                _ = try one.readResponse()
                usleep(20_000)
                two.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                _ = try two.readResponse()
                usleep(300_000)  // past a sweep, so whichever loop has them knows they are idle
                let three = try RawConnection(port: server.port)
                three.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                let third = try three.readResponse()
                usleep(50_000)  // another loop closes its idle connection on its next turn
                let statuses = [one, two].map { (connection: RawConnection) -> Int in
                    connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                    return (try? connection.readResponse().status) ?? -1
                }
                return (third.status, statuses)
            }
            #expect(third == 200)
            // One idle connection (this loop's longest idle, or another loop's) was closed to admit the new one.
            #expect(statuses.sorted() == [-1, 200])
        }
    }

    @Test func incompleteHeaderBlock_IsDisconnectedAfterHeaderTimeout() async throws {
        try await withTestServer(configure: { $0.http.headerTimeout = .milliseconds(300) }) { server, _ in
            let closed = try await Self.withConnection(server) { connection in
                connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
                return connection.waitForClose()
            }
            #expect(closed, "a client that never finishes its header block must be disconnected")
        }
    }

    @Test func shutdown_AnswersHeldLongPollsWithWhatTheyHave() async throws {
        let server = try TestServer()
        defer { server.directory.remove() }
        try await server.client.createTopic("held")
        async let polled = server.client.get("/v1/topics/held/partitions/0/messages?wait_ms=60000")
        #expect(try await server.waitUntilHeld(1) == 1)
        let clock = ContinuousClock()
        let started = clock.now
        try await onDispatchThread { server.server.shutdown() }
        let response = try await polled
        #expect(response.status == 200, "\(response.text)")
        #expect(response.messages.isEmpty)
        // The margin is wide (a full parallel test run on 2 loaded cores has taken 15 s here); the point is that
        // shutdown does not wait out the 60 s long-poll.
        #expect(clock.now - started < .seconds(40), "shutdown must not wait out a 60 s long-poll")
    }
}
