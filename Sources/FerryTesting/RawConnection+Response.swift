extension RawConnection {
    /// One response as read off the wire: status, header fields in order (names as sent), and the body with any
    /// chunked framing removed.
    public struct Response: Sendable, CustomStringConvertible {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// The body as UTF-8 text.
        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The first value of header `name` (any case), or nil.
        public func header(_ name: String) -> String? {
            let wanted = name.lowercased()
            return headers.first { $0.name.lowercased() == wanted }?.value
        }

        /// Status, headers and body text, for assertion messages.
        public var description: String {
            "\(status)" + headers.map { " | \($0.name): \($0.value)" }.joined() + " | " + text
        }
    }

    /// Reads one response. Its body is framed by `Transfer-Encoding: chunked`, `Content-Length`, or else by the
    /// server closing the connection; a `1xx` interim response comes back on its own, without a body.
    /// `head` true means the request was HEAD: no body is read, whatever the head announces.
    public func readResponse(head: Bool = false) throws(Failure) -> Response {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .malformed(statusLine)
        }
        var headers: [(name: String, value: String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw .malformed(line) }
            headers.append((String(line[..<colon]), Self.trimmed(line[line.index(after: colon)...])))
        }
        var response = Response(status: status, headers: headers)
        if head || status < 200 || status == 204 || status == 304 { return response }
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while let chunk = try readChunk() { response.body += chunk }
        } else if let length = response.header("Content-Length").flatMap({ Int($0) }) {
            response.body = try readExactly(length)
        } else {
            response.body = readToEnd()
        }
        return response
    }

    /// Reads the next chunk of a chunked body (after ``readHead()``, for a stream read piece by piece); nil at
    /// the last chunk, whose trailers it reads too.
    public func readChunk() throws(Failure) -> [UInt8]? {
        let sizeLine = try readLine()
        guard let size = Int(sizeLine, radix: 16) else { throw .malformed(sizeLine) }
        if size == 0 {
            while try !readLine().isEmpty {}  // trailers
            return nil
        }
        let chunk = try readExactly(size)
        let end = try readLine()
        guard end.isEmpty else { throw .malformed(end) }
        return chunk
    }

    /// Reads only a response's status and headers, leaving its body unread (e.g. a stream).
    public func readHead() throws(Failure) -> Response {
        try readResponse(head: true)
    }

    /// Sends a minimal HTTP/1.1 request and reads its response: the request line, `Host`, `headers` in order,
    /// `Content-Length` unless it is a GET or HEAD without a body, then `body`; all in one `send`.
    public func request(
        _ method: String, _ path: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) throws(Failure) -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || (method != "GET" && method != "HEAD") { head += "Content-Length: \(body.count)\r\n" }
        guard send(Array((head + "\r\n").utf8) + body) else { throw .closed }
        return try readResponse(head: method == "HEAD")
    }

    /// One exchange on a new connection: connects, sends `request` exactly as given (complete, usually with
    /// `Connection: close`), reads the response and closes. Blocks (receive timeout 10 s); from async code use
    /// ``rawExchange(port:request:)``.
    public static func exchange(port: Int, request: [UInt8]) throws(Failure) -> Response {
        let connection = try RawConnection(port: port)
        guard connection.send(request) else { throw .closed }
        return try connection.readResponse()
    }

    /// ``exchange(port:request:)`` with the UTF-8 bytes of `request`.
    public static func exchange(port: Int, request: String) throws(Failure) -> Response {
        try exchange(port: port, request: Array(request.utf8))
    }

    private static func trimmed(_ value: Substring) -> String {
        var value = value
        while let first = value.first, first == " " || first == "\t" { value.removeFirst() }
        while let last = value.last, last == " " || last == "\t" { value.removeLast() }
        return String(value)
    }
}

/// ``RawConnection/exchange(port:request:)`` on a Dispatch thread (it blocks), so the cooperative pool stays
/// free.
public func rawExchange(port: Int, request: String) async throws -> RawConnection.Response {
    try await onDispatchThread { try RawConnection.exchange(port: port, request: request) }
}
