import FerryHTTP
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The raw test client itself (FerryTesting's `RawConnection`): what `request` sends, and every framing it
/// reads — the benchmarks and the framing tests rely on both.
@Suite("Raw connection")
struct RawConnectionTests {
    static func startReceiver() throws -> TestHTTPReceiver {
        try TestHTTPReceiver(handler: { received, responder in
            if received.path == "/chunked" {
                let writer = responder.startStream()
                writer.write("ab")
                writer.write("cd")
                writer.finish()
            } else {
                responder.respond(.text("fixed"))
            }
        })
    }

    @Test func request_SendsHostAndLength_OnOneKeepAliveConnection() throws {
        let receiver = try Self.startReceiver()
        defer { receiver.stop() }
        let connection = try RawConnection(port: receiver.port)
        let posted = try connection.request("POST", "/fixed", headers: [("X-One", "1")], body: [1, 2, 3])
        #expect(posted.status == 200 && posted.text == "fixed" && posted.header("content-length") == "5")
        #expect(try connection.request("GET", "/fixed").text == "fixed")
        #expect(try connection.request("DELETE", "/fixed").status == 200)
        let head = try connection.request("HEAD", "/fixed")
        #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == "5")
        let seen = receiver.received
        #expect(seen.map { $0.request.method.rawValue } == ["POST", "GET", "DELETE", "HEAD"])
        #expect(seen.allSatisfy { $0.header("Host") == "127.0.0.1:\(receiver.port)" })
        #expect(seen.map { $0.header("Content-Length") } == ["3", nil, "0", nil])
        #expect(seen[0].header("X-One") == "1" && seen[0].body == [1, 2, 3])
        #expect(receiver.acceptedConnections == 1)
    }

    @Test func readResponse_ReadsChunkedAndCloseDelimitedBodies() throws {
        let receiver = try Self.startReceiver()
        defer { receiver.stop() }
        let connection = try RawConnection(port: receiver.port)
        let chunked = try connection.request("GET", "/chunked")
        #expect(chunked.header("Transfer-Encoding") == "chunked" && chunked.text == "abcd")
        // An HTTP/1.0 client gets the stream delimited by the server closing the connection.
        connection.send("GET /chunked HTTP/1.0\r\n\r\n")
        let closeDelimited = try connection.readResponse()
        #expect(closeDelimited.header("Transfer-Encoding") == nil && closeDelimited.text == "abcd")
        #expect(throws: RawConnection.Failure.closed) { try connection.readResponse() }
    }

    @Test func exchange_SendsBytesAsGiven_OnANewConnection() throws {
        let receiver = try Self.startReceiver()
        defer { receiver.stop() }
        let response = try RawConnection.exchange(
            port: receiver.port, request: "GET /fixed HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(response.status == 200 && response.text == "fixed" && response.header("Connection") == "close")
        #expect(throws: RawConnection.Failure.connect(errno: ECONNREFUSED)) {
            try RawConnection.exchange(port: LoopbackSocket.unusedPort(), request: "GET / HTTP/1.1\r\n\r\n")
        }
    }
}
