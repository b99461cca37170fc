import FerryHTTP
import FerryTesting
import Testing

/// Request smuggling patterns and limits: each gets its status and (for framing errors) a closed connection.
@Suite("Framing, smuggling and limits")
struct HTTPFramingTests {
    static let smugglingRequests: [String: String] = Dictionary(uniqueKeysWithValues: smuggling)
    static let smugglingNames: [String] = smuggling.map(\.0)
    static let smuggling: [(String, String)] = [
        (
            "CL and TE",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        ),
        (
            "TE and CL",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"
        ),
        ("two different CLs", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
        ("CL list differing", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!"),
        ("CL with sign", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello"),
        ("CL hex", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello"),
        ("CL empty", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n"),
        (
            "bad chunk size",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
        ),
        (
            "chunk size with space",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n"
        ),
        (
            "negative chunk size",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"
        ),
        (
            "chunk data too long",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"
        ),
        (
            "chunk size too many digits",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000001\r\nx\r\n0\r\n\r\n"
        ),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n"),
        ("obs-fold first", "GET / HTTP/1.1\r\n Host: x\r\n\r\n"),
        ("space before colon", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length : 0\r\n\r\n"),
        ("bare LF in headers", "GET / HTTP/1.1\nHost: x\n\n"),
        ("bare LF after header", "GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n"),
        ("bare CR", "GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n"),
        ("TE chunked twice", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"),
        (
            "TE two fields",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        ),
        ("TE in HTTP/1.0", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("missing Host", "GET / HTTP/1.1\r\n\r\n"),
        ("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        ("NUL in header", "GET / HTTP/1.1\r\nHost: x\r\nX: a\u{0}b\r\n\r\n"),
        ("bad request line", "GET /\r\nHost: x\r\n\r\n"),
        ("bad percent escape", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("bad version", "GET / HTTX/1.1\r\nHost: x\r\n\r\n"),
    ]

    @Test("ambiguous or malformed framing → 400 and close", arguments: smugglingNames)
    func smugglingPattern_Gets400AndClose(_ name: String) throws {
        let request = Self.smugglingRequests[name]!
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send(request + "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 400, "\(name)")
            #expect(response.text.contains("urn:ferry:error:bad-request"), "\(name)")
            #expect(response.header("Connection") == "close", "\(name)")
            #expect(client.waitForClose(), "\(name): connection must close")
        }
    }

    @Test func duplicateIdenticalContentLength_IsAccepted() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok")
            #expect(try client.readResponse().text == "ok")
        }
    }

    @Test func unsupportedVersion_Gets505() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET / HTTP/2.0\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 505)
        }
    }

    @Test func unknownTransferCoding_Gets501() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n")
            #expect(try client.readResponse().status == 501)
        }
    }

    @Test func longRequestLine_Gets414() throws {
        try withServer(configure: { $0.maxRequestLineBytes = 100 }, router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET /" + String(repeating: "a", count: 200) + " HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 414)
            #expect(response.text.contains("urn:ferry:error:uri-too-long"))
        }
    }

    @Test func longRequestLine_Gets414_BeforeLineEnds() throws {
        try withServer(configure: { $0.maxRequestLineBytes = 100 }, router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET /" + String(repeating: "a", count: 200))
            #expect(try client.readResponse().status == 414)
        }
    }

    @Test func largeHeaderBlock_Gets431() throws {
        try withServer(configure: { $0.maxHeaderBytes = 1000 }, router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 2000) + "\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 431)
            #expect(response.text.contains("urn:ferry:error:headers-too-large"))
        }
    }

    @Test func tooManyHeaders_Gets431() throws {
        try withServer(configure: { $0.maxHeaderCount = 10 }, router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            var request = "GET / HTTP/1.1\r\nHost: x\r\n"
            for i in 0..<11 { request += "X-\(i): v\r\n" }
            client.send(request + "\r\n")
            #expect(try client.readResponse().status == 431)
        }
    }

    @Test func headerCountAtLimit_IsAccepted() throws {
        try withServer(configure: { $0.maxHeaderCount = 10 }, router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            var request = "GET / HTTP/1.1\r\nHost: x\r\n"
            for i in 0..<9 { request += "X-\(i): v\r\n" }
            client.send(request + "\r\n")
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test func bodyOverLimit_Gets413_ByContentLength() throws {
        try withServer(configure: { $0.maxBodyBytes = 10 }, router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(client.waitForClose())
        }
    }

    @Test func bodyOverLimit_Gets413_WhenChunked() throws {
        try withServer(configure: { $0.maxBodyBytes = 10 }, router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send(
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n"
            )
            #expect(try client.readResponse().status == 413)
        }
    }

    @Test func hugeChunkSize_Gets413() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFF\r\n")
            #expect(try client.readResponse().status == 413)
            #expect(client.waitForClose())
        }
    }

    @Test func postWithoutLength_Gets411() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 411)
            #expect(response.text.contains("urn:ferry:error:length-required"))
        }
    }

    @Test func unsupportedExpectation_Gets417() throws {
        try withServer(router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: teapot\r\n\r\nx")
            #expect(try client.readResponse().status == 417)
        }
    }
}
