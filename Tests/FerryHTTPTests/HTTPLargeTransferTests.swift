import FerryHTTP
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Bodies larger than socket buffers: partial writes, EPOLLOUT back-pressure, multi-chunk writev.
@Suite("Large bodies")
struct HTTPLargeTransferTests {
    static func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) } }

    @Test func largeResponse_ArrivesIntact_WhenClientReadsSlowly() throws {
        let big = Self.pattern(8 << 20)
        var router = Router()
        router.add(.GET, "/big") { _, responder in responder.respond(HTTPResponse(body: big)) }
        router.add(.GET, "/small") { _, responder in responder.respond(.text("after")) }
        try withServer(router: router) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\n")
            usleep(100_000)  // let the server fill the socket buffers and wait for EPOLLOUT
            let response = try client.readResponse()
            #expect(response.body.count == big.count)
            #expect(response.body == big)
            #expect(try client.readResponse().text == "after")
        }
    }

    @Test func largeResponse_IsCompleted_WhenClientHalfClosesAfterRequest() throws {
        let big = Self.pattern(8 << 20)
        var router = Router()
        router.add(.GET, "/big") { _, responder in responder.respond(HTTPResponse(body: big)) }
        try withServer(router: router) { server, port in
            let client = try RawConnection(port: port)
            client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
            shutdown(client.fd, Int32(SHUT_WR))
            usleep(100_000)  // the server sees EOF while most of the body is still queued
            let response = try client.readResponse()
            #expect(response.body == big)
            #expect(client.waitForClose())
            #expect(eventually { server.openConnectionCount == 0 })
        }
    }

    @Test func largeRequestBody_IsReadCompletely_ByLengthAndChunked() throws {
        let body = Self.pattern(3 << 20)
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send(Array("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            #expect(try client.readResponse().body == body)
            var chunked = Array("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            var offset = 0
            while offset < body.count {
                let size = min(100_000, body.count - offset)
                chunked +=
                    Array("\(String(size, radix: 16))\r\n".utf8) + body[offset..<(offset + size)] + Array("\r\n".utf8)
                offset += size
            }
            chunked += Array("0\r\n\r\n".utf8)
            client.send(chunked)
            #expect(try client.readResponse().body == body)
        }
    }
}
