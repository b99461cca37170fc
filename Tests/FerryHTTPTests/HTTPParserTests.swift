import Testing

@testable import FerryHTTP

/// The parser in-process: exact limit boundaries and the error each malformed input maps to.
@Suite("Request parser")
struct HTTPParserTests {
    static let limits = HTTPParserLimits(
        maxRequestLineBytes: 100, maxHeaderBytes: 200, maxHeaderCount: 5, maxBodyBytes: 50)

    static func parse(_ text: String) -> (requests: Int, error: HTTPParseError?) {
        Array(text.utf8).withUnsafeBytes { HTTPParserFuzzing.run($0, limits: limits) }
    }

    /// A request line of exactly `length` bytes including CRLF.
    static func requestLine(length: Int) -> String {
        let fixed = "GET / HTTP/1.1\r\n".utf8.count
        return "GET /" + String(repeating: "a", count: length - fixed) + " HTTP/1.1\r\n"
    }

    /// The fields of `head` as the parser builds them (name and value as received).
    static func fields(_ head: String) -> [HTTPHeaders.Field]? {
        var parser = HTTPHeadParser(
            limits: HTTPParserLimits(
                maxRequestLineBytes: 1000, maxHeaderBytes: 4000, maxHeaderCount: 50, maxBodyBytes: 50))
        let parsed = Array(head.utf8).withUnsafeBytes { try? parser.parse($0) }
        return parsed.map { Array($0.0.headers) }
    }

    @Test func commonNamesAndValues_ComeOutAsReceived_AndOtherSpellingsToo() {
        let head =
            "POST /v1/topics/t/messages HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 0\r\n"
            + "Content-Type: application/octet-stream\r\ncontent-type: Application/JSON\r\n"
            + "User-Agent: curl/8.5.0\r\nConnection: keep-alive\r\nAccept: application/json\r\n"
            + "Authorization: Bearer t\r\nX-Custom: application/x-ndjson\r\nHOST2: x\r\n\r\n"
        let expected: [HTTPHeaders.Field] = [
            .init(name: "Host", value: "127.0.0.1:8080"), .init(name: "Content-Length", value: "0"),
            .init(name: "Content-Type", value: "application/octet-stream"),
            .init(name: "content-type", value: "Application/JSON"), .init(name: "User-Agent", value: "curl/8.5.0"),
            .init(name: "Connection", value: "keep-alive"), .init(name: "Accept", value: "application/json"),
            .init(name: "Authorization", value: "Bearer t"), .init(name: "X-Custom", value: "application/x-ndjson"),
            .init(name: "HOST2", value: "x"),
        ]
        #expect(Self.fields(head) == expected)
    }

    @Test func requestLine_AtLimit_IsAccepted_AndOneMoreByteIsNot() {
        #expect(Self.parse(Self.requestLine(length: 100) + "Host: x\r\n\r\n").requests == 1)
        #expect(Self.parse(Self.requestLine(length: 101) + "Host: x\r\n\r\n").error == .requestLineTooLong)
        #expect(Self.parse(Self.requestLine(length: 101)).error == .requestLineTooLong)
    }

    @Test func headerBlock_AtLimit_IsAccepted_AndOneMoreByteIsNot() {
        let host = "Host: x\r\n"
        let pad = 200 - host.utf8.count - "X: \r\n".utf8.count
        let atLimit = "GET / HTTP/1.1\r\n" + host + "X: " + String(repeating: "p", count: pad) + "\r\n\r\n"
        let over = "GET / HTTP/1.1\r\n" + host + "X: " + String(repeating: "p", count: pad + 1) + "\r\n\r\n"
        #expect(Self.parse(atLimit).requests == 1)
        #expect(Self.parse(over).error == .headersTooLarge)
    }

    @Test func headerCount_OverLimit_IsRejected() {
        let five = "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"
        let six = "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n"
        #expect(Self.parse(five).requests == 1)
        #expect(Self.parse(six).error == .tooManyHeaders)
    }

    @Test func body_AtLimit_IsAccepted_AndOverIsRejected() {
        let body = String(repeating: "b", count: 50)
        #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n" + body).requests == 1)
        #expect(Self.parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 51\r\n\r\n").error == .bodyTooLarge)
        let chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(Self.parse(chunked + "32\r\n" + body + "\r\n0\r\n\r\n").requests == 1)
        #expect(Self.parse(chunked + "32\r\n" + body + "\r\n1\r\nb\r\n0\r\n\r\n").error == .bodyTooLarge)
    }

    @Test(arguments: [
        (
            "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            HTTPParseError.contentLengthWithTransferEncoding
        ),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", .conflictingContentLength),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", .invalidContentLength),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .invalidTransferEncoding),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br\r\n\r\n", .unsupportedTransferEncoding),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncodingInHTTP10),
        ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", .obsoleteLineFolding),
        ("GET / HTTP/1.1\nHost: x\r\n\r\n", .bareLineFeed),
        ("GET / HTTP/1.1\r\n\r\n", .missingHost),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", .multipleHosts),
        ("GET / HTTP/3.0\r\nHost: x\r\n\r\n", .unsupportedVersion),
        ("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", .invalidMethod),
        ("GET /a\u{7F} HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget),
        ("GET relative HTTP/1.1\r\nHost: x\r\n\r\n", .invalidTarget),
        ("GET /%4 HTTP/1.1\r\nHost: x\r\n\r\n", .invalidPercentEncoding),
        ("GET / HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", .invalidHeader),
        ("GET / HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n", .invalidHeader),
        ("POST / HTTP/1.1\r\nHost: x\r\n\r\n", .lengthRequired),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: 200-ok\r\n\r\nx", .unsupportedExpectation),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxx\r\n", .invalidChunk),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n;x\r\n", .invalidChunkSize),
        (
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n folded: t\r\n\r\n",
            .obsoleteLineFolding
        ),
    ])
    func malformedInput_MapsToItsError(_ input: String, _ expected: HTTPParseError) {
        #expect(Self.parse(input).error == expected)
    }

    @Test func errors_MapToStatusAndSlug() {
        #expect(
            HTTPParseError.requestLineTooLong.status == 414 && HTTPParseError.requestLineTooLong.slug == "uri-too-long")
        #expect(
            HTTPParseError.tooManyHeaders.status == 431 && HTTPParseError.tooManyHeaders.slug == "headers-too-large")
        #expect(HTTPParseError.bodyTooLarge.status == 413 && HTTPParseError.bodyTooLarge.slug == "body-too-large")
        #expect(HTTPParseError.lengthRequired.status == 411 && HTTPParseError.lengthRequired.slug == "length-required")
        #expect(HTTPParseError.bareLineFeed.status == 400 && HTTPParseError.bareLineFeed.slug == "bad-request")
        #expect(HTTPParseError.unsupportedVersion.status == 505)
        #expect(HTTPParseError.unsupportedTransferEncoding.status == 501)
    }

    @Test func target_DecodesPathSegmentsAndQuery() throws {
        let target = try RequestTarget.parse("/v1/topics/a%2Fb/x?k=a+b&k=%26&empty=&flag")
        #expect(target.path == "/v1/topics/a/b/x")
        #expect(target.segments == ["v1", "topics", "a/b", "x"])
        #expect(target.queryItems.map(\.name) == ["k", "k", "empty", "flag"])
        #expect(target.queryItems.map(\.value) == ["a b", "&", "", ""])
        let absolute = try RequestTarget.parse("http://example.com:8080/p?q=1")
        #expect(absolute.path == "/p" && absolute.queryItems.first?.value == "1")
    }

    @Test(arguments: [
        ("/", "/", [String](), "", [String]()),
        ("/a//b/", "/a//b/", ["a", "", "b", ""], "", []),
        ("/t?&&a=1&&b&", "/t", ["t"], "&&a=1&&b&", ["a=1", "b="]),
        ("/x?q=%3D%3d=+", "/x", ["x"], "q=%3D%3d=+", ["q====" + " "]),
        ("*", "*", ["*"], "", []),
        ("*?z=1", "*", ["*"], "z=1", []),
        ("HTTPS://h:1?k=v", "/", [], "k=v", ["k=v"]),
        ("http://h/a%20b/c?", "/a b/c", ["a b", "c"], "", []),
        ("/caf%C3%A9/%FF", "/café/\u{FFFD}", ["café", "\u{FFFD}"], "", []),
        ("/ünï/cödé?ä=ö", "/ünï/cödé", ["ünï", "cödé"], "ä=ö", ["ä=ö"]),
    ])
    func target_SplitsEveryForm(
        target: String, path: String, segments: [String], rawQuery: String, items: [String]
    ) throws {
        let parsed = try RequestTarget.parse(target)
        #expect(parsed.path == path)
        #expect(parsed.segments == segments)
        #expect(parsed.rawQuery == rawQuery[...])
        #expect(parsed.queryItems.map { "\($0.name)=\($0.value)" } == items)
    }

    @Test(arguments: [
        ("GET", HTTPMethod.GET), ("HEAD", .HEAD), ("POST", .POST), ("PUT", .PUT), ("DELETE", .DELETE),
        ("PATCH", .PATCH), ("OPTIONS", .OPTIONS), ("TRACE", .TRACE), ("CONNECT", .CONNECT),
        ("get", .other("get")), ("POSTS", .other("POSTS")), ("PUB", .other("PUB")), ("PROPFIND", .other("PROPFIND")),
        ("X", .other("X")),
    ])
    func method_IsReadFromTheRequestLine_CaseSensitively(token: String, method: HTTPMethod) throws {
        var parser = HTTPHeadParser(limits: Self.limits)
        let bytes = Array("\(token) / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".utf8)
        let head = try bytes.withUnsafeBytes { try parser.parse($0) }
        #expect(head?.0.method == method)
        #expect(HTTPMethod(token) == method)
    }

    @Test func tokenBytes_AreExactlyRFC9110Tchar() {
        let tchar = Set(Array("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8))
        for byte in 0...255 {
            #expect(isTokenByte(UInt8(byte)) == tchar.contains(UInt8(byte)), "byte \(byte)")
        }
    }

    @Test(arguments: ["/a%4", "/a%zz", "/a?b=%", "?x", "ftp://h/p", "x"])
    func target_RejectsMalformedForms(target: String) {
        #expect(throws: HTTPParseError.self) { try RequestTarget.parse(target) }
    }

    @Test func headers_LookupIsCaseInsensitive_AndKeepsRepeats() {
        var headers: HTTPHeaders = ["Content-Type": "a", "X-Multi": "1"]
        headers.add(name: "x-multi", value: "2")
        #expect(headers["content-type"] == "a")
        #expect(headers.values(for: "X-MULTI") == ["1", "2"])
        headers.replaceOrAdd(name: "X-Multi", value: "3")
        #expect(headers.values(for: "x-multi") == ["3"])
        #expect(headers.count == 2)
    }

    @Test func problem_HasRFC9457ShapeWithExtraMembers() {
        let response = HTTPResponse.problem(
            .rangeNotSatisfiable, slug: "offset-out-of-range", detail: "offset \"9\"\n",
            extra: [("start_offset", .int(0)), ("end_offset", .int(5)), ("raw", .rawJSON("[1]"))])
        #expect(response.status == 416)
        #expect(response.headers["Content-Type"] == "application/problem+json")
        #expect(
            String(decoding: response.body, as: UTF8.self)
                == #"{"type":"urn:ferry:error:offset-out-of-range","title":"Range Not Satisfiable","status":416,"#
                + #""detail":"offset \"9\"\n","start_offset":0,"end_offset":5,"raw":[1]}"#)
    }
}
