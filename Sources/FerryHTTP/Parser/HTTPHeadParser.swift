#if canImport(Glibc)
    import Glibc
#endif

/// Incremental, bounded parser for a request line plus header block.
///
/// Feed it the same growing buffer (starting at the request's first byte) until it returns a head; it remembers
/// how far it has scanned, so byte-by-byte arrival costs linear time. Strict by design: bare LF, obs-fold,
/// whitespace before a colon, control bytes, conflicting or ambiguous framing all throw (→ 400 and close).
/// Not thread-safe; one per connection.
struct HTTPHeadParser {
    let limits: HTTPParserLimits
    /// Bytes of the buffer already scanned for line ends.
    private var scanned = 0
    /// Start of the current line.
    private var lineStart = 0
    /// End of the request line (index after its LF), 0 until found.
    private var requestLineEnd = 0
    private var headerLines = 0
    /// Leading empty lines skipped before the request line (RFC 9112 §2.2 allows ignoring them).
    private var leadingSkip = 0

    init(limits: HTTPParserLimits) { self.limits = limits }

    /// Resets for the next request on the connection.
    mutating func reset() {
        scanned = 0
        lineStart = 0
        requestLineEnd = 0
        headerLines = 0
        leadingSkip = 0
    }

    /// Scans `buffer` for a complete head. Returns the head and the number of bytes it occupied, or nil when more
    /// bytes are needed. Throws when the bytes can never form an acceptable head.
    mutating func parse(_ buffer: UnsafeRawBufferPointer) throws(HTTPParseError) -> (HTTPRequestHead, Int)? {
        let count = buffer.count
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        while scanned < count {
            // Skip leading CRLFs before the request line (bounded by the request-line limit).
            if requestLineEnd == 0 && lineStart == leadingSkip && scanned == leadingSkip {
                let b = base[scanned]
                if b == 0x0D || b == 0x0A {
                    if b == 0x0D {
                        guard scanned + 1 < count else { return nil }
                        guard base[scanned + 1] == 0x0A else { throw .invalidRequestLine }
                        leadingSkip += 2
                    } else {
                        throw .bareLineFeed
                    }
                    scanned = leadingSkip
                    lineStart = leadingSkip
                    if leadingSkip > 64 { throw .invalidRequestLine }
                    continue
                }
            }
            let remaining = count - scanned
            guard let found = memchr(base + scanned, 0x0A, remaining) else {
                scanned = count
                break
            }
            let lf = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            scanned = lf + 1
            guard lf > lineStart, base[lf - 1] == 0x0D else { throw .bareLineFeed }
            if requestLineEnd == 0 {
                if lf + 1 - leadingSkip > limits.maxRequestLineBytes { throw .requestLineTooLong }
                requestLineEnd = lf + 1
                lineStart = lf + 1
                continue
            }
            if lf - 1 == lineStart {
                // Empty line: end of head.
                let head = try build(base: base, end: lf + 1)
                return (head, lf + 1)
            }
            headerLines += 1
            if headerLines > limits.maxHeaderCount { throw .tooManyHeaders }
            if lf + 1 - requestLineEnd > limits.maxHeaderBytes { throw .headersTooLarge }
            lineStart = lf + 1
        }
        // Incomplete: enforce limits on what we have so far.
        if requestLineEnd == 0 {
            if count - leadingSkip > limits.maxRequestLineBytes { throw .requestLineTooLong }
        } else if count - requestLineEnd > limits.maxHeaderBytes + 2 {
            throw .headersTooLarge
        }
        return nil
    }

    // MARK: Building the head from complete lines

    private func build(base: UnsafePointer<UInt8>, end: Int) throws(HTTPParseError) -> HTTPRequestHead {
        let (method, target, version) = try parseRequestLine(base: base, start: leadingSkip, end: requestLineEnd - 2)
        var headers = HTTPHeaders()
        headers.reserveCapacity(8)  // most requests have fewer fields: one allocation instead of growing 1, 2, 4
        var contentLength: Int? = nil
        var transferEncoding: [UInt8]? = nil
        var hostCount = 0
        var connectionClose = false
        var connectionKeepAlive = false
        var expect: String? = nil
        var lineStart = requestLineEnd
        while lineStart < end - 2 {
            // Every line of a complete head ends with CRLF (the scan checked each LF), so a CR that an LF follows
            // is found before `end`; a lone CR inside the line is skipped here and refused below.
            var lineEnd = lineStart
            while true {
                guard let cr = memchr(base + lineEnd, 0x0D, end - lineEnd) else { throw .invalidHeader }
                lineEnd = base.distance(to: cr.assumingMemoryBound(to: UInt8.self))
                if base[lineEnd + 1] == 0x0A { break }
                lineEnd += 1
            }
            let first = base[lineStart]
            if first == 0x20 || first == 0x09 { throw .obsoleteLineFolding }
            var colon = lineStart
            while colon < lineEnd && base[colon] != UInt8(ascii: ":") {
                guard isTokenByte(base[colon]) else { throw .invalidHeader }
                colon += 1
            }
            guard colon < lineEnd, colon > lineStart else { throw .invalidHeader }
            var valueStart = colon + 1
            var valueEnd = lineEnd
            while valueStart < valueEnd && (base[valueStart] == 0x20 || base[valueStart] == 0x09) { valueStart += 1 }
            while valueEnd > valueStart && (base[valueEnd - 1] == 0x20 || base[valueEnd - 1] == 0x09) { valueEnd -= 1 }
            for i in valueStart..<valueEnd {
                let c = base[i]
                if c < 0x20 && c != 0x09 || c == 0x7F { throw .invalidHeader }
            }
            let nameBytes = UnsafeBufferPointer(start: base + lineStart, count: colon - lineStart)
            let valueBytes = UnsafeBufferPointer(start: base + valueStart, count: valueEnd - valueStart)
            let name = Self.commonName(nameBytes) ?? String(decoding: nameBytes, as: UTF8.self)
            let value = Self.commonValue(valueBytes) ?? String(decoding: valueBytes, as: UTF8.self)
            switch nameBytes.count {
            case 4 where asciiEqualsLower(nameBytes, "host"):
                hostCount += 1
            case 6 where asciiEqualsLower(nameBytes, "expect"):
                expect = value
            case 10 where asciiEqualsLower(nameBytes, "connection"):
                if headers.tokenList(value, contains: "close") { connectionClose = true }
                if headers.tokenList(value, contains: "keep-alive") { connectionKeepAlive = true }
            case 14 where asciiEqualsLower(nameBytes, "content-length"):
                let parsed = try Self.parseContentLength(valueBytes)
                if let existing = contentLength, existing != parsed { throw .conflictingContentLength }
                contentLength = parsed
            case 17 where asciiEqualsLower(nameBytes, "transfer-encoding"):
                if transferEncoding != nil { throw .invalidTransferEncoding }
                transferEncoding = Array(valueBytes)
            default:
                break
            }
            headers.add(name: name, value: value)
            lineStart = lineEnd + 2
        }

        if version == .http1_1 {
            if hostCount == 0 { throw .missingHost }
        }
        if hostCount > 1 { throw .multipleHosts }

        var framing = BodyFraming.none
        if let te = transferEncoding {
            if version == .http1_0 { throw .transferEncodingInHTTP10 }
            if contentLength != nil { throw .contentLengthWithTransferEncoding }
            let isChunked = te.withUnsafeBufferPointer { asciiEqualsLower($0, "chunked") }
            guard isChunked else {
                // `chunked` must be the only (and final) coding; other codings are not supported.
                if te.isEmpty || te.contains(UInt8(ascii: ",")) { throw .invalidTransferEncoding }
                throw .unsupportedTransferEncoding
            }
            framing = .chunked
        } else if let length = contentLength {
            if length > limits.maxBodyBytes { throw .bodyTooLarge }
            framing = length > 0 ? .length(length) : .none
        } else if method.requiresLength {
            throw .lengthRequired
        }

        var expectContinue = false
        if let expect {
            guard HTTPHeaders.equalsIgnoringCase(expect, "100-continue") else { throw .unsupportedExpectation }
            expectContinue = version == .http1_1
        }
        let keepAlive = version == .http1_1 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        let parsedTarget = try RequestTarget.parse(target)
        return HTTPRequestHead(
            method: method, version: version, target: target, parsedTarget: parsedTarget, headers: headers,
            framing: framing, keepAlive: keepAlive, expectContinue: expectContinue)
    }

    private func parseRequestLine(base: UnsafePointer<UInt8>, start: Int, end: Int)
        throws(HTTPParseError) -> (HTTPMethod, String, HTTPVersion)
    {
        var i = start
        while i < end && base[i] != 0x20 {
            guard isTokenByte(base[i]) else { throw .invalidMethod }
            i += 1
        }
        guard i > start, i < end else { throw .invalidRequestLine }
        let method = HTTPMethod(token: UnsafeBufferPointer(start: base + start, count: i - start))
        i += 1
        let targetStart = i
        while i < end && base[i] != 0x20 {
            let c = base[i]
            guard c > 0x20 && c < 0x7F else { throw .invalidTarget }
            i += 1
        }
        guard i > targetStart, i < end else { throw .invalidRequestLine }
        let target = String(
            decoding: UnsafeBufferPointer(start: base + targetStart, count: i - targetStart), as: UTF8.self)
        i += 1
        // HTTP-version = "HTTP/" DIGIT "." DIGIT, then the line ends.
        guard end - i == 8, base[i] == UInt8(ascii: "H"), base[i + 1] == UInt8(ascii: "T"),
            base[i + 2] == UInt8(ascii: "T"), base[i + 3] == UInt8(ascii: "P"), base[i + 4] == UInt8(ascii: "/"),
            base[i + 6] == UInt8(ascii: ".")
        else { throw .invalidRequestLine }
        let major = base[i + 5]
        let minor = base[i + 7]
        guard major >= 0x30 && major <= 0x39, minor >= 0x30 && minor <= 0x39 else { throw .invalidRequestLine }
        guard major == 0x31, minor == 0x30 || minor == 0x31 else { throw .unsupportedVersion }
        return (method, target, minor == 0x31 ? .http1_1 : .http1_0)
    }

    /// Parses a Content-Length value: 1*DIGIT, or a list of identical such values (RFC 9110 §8.6).
    static func parseContentLength(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int {
        var result: Int? = nil
        var current = 0
        var digits = 0
        var index = 0
        func finish() throws(HTTPParseError) {
            guard digits > 0 else { throw .invalidContentLength }
            if let r = result, r != current { throw .conflictingContentLength }
            result = current
            current = 0
            digits = 0
        }
        while index < bytes.count {
            let c = bytes[index]
            if c >= 0x30 && c <= 0x39 {
                digits += 1
                // Saturate instead of overflowing: anything this large is over any body limit.
                current = digits > 18 ? Int.max : current * 10 + Int(c - 0x30)
            } else if c == UInt8(ascii: ",") {
                try finish()
                index += 1
                while index < bytes.count && (bytes[index] == 0x20 || bytes[index] == 0x09) { index += 1 }
                continue
            } else {
                throw .invalidContentLength
            }
            index += 1
        }
        try finish()
        return result ?? 0
    }
}

extension HTTPHeadParser {
    /// A header name most requests carry, as a string literal when `bytes` spell it exactly as clients send it:
    /// no decoding and no allocation for the usual fields (a produce's head has three). Nil otherwise.
    static func commonName(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        switch bytes.count {
        case 4: return bytesEqual(bytes, "Host") ? "Host" : nil
        case 6: return bytesEqual(bytes, "Accept") ? "Accept" : nil
        case 10:
            if bytesEqual(bytes, "User-Agent") { return "User-Agent" }
            return bytesEqual(bytes, "Connection") ? "Connection" : nil
        case 12: return bytesEqual(bytes, "Content-Type") ? "Content-Type" : nil
        case 13: return bytesEqual(bytes, "Authorization") ? "Authorization" : nil
        case 14: return bytesEqual(bytes, "Content-Length") ? "Content-Length" : nil
        default: return nil
        }
    }

    /// A `Content-Type` value most produce requests carry, as a string literal (those longer than 15 bytes
    /// would otherwise be allocated). Nil otherwise.
    static func commonValue(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        switch bytes.count {
        case 16: return bytesEqual(bytes, "application/json") ? "application/json" : nil
        case 20: return bytesEqual(bytes, "application/x-ndjson") ? "application/x-ndjson" : nil
        case 24: return bytesEqual(bytes, "application/octet-stream") ? "application/octet-stream" : nil
        default: return nil
        }
    }
}

/// True when `bytes` are exactly the bytes of `text` (case-sensitive).
@inline(__always)
func bytesEqual(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
    guard bytes.count == text.utf8CodeUnitCount, let base = bytes.baseAddress else { return false }
    return memcmp(base, text.utf8Start, bytes.count) == 0
}

/// True when `bytes` equals the lowercase ASCII `lower`, ignoring case.
@inline(__always)
func asciiEqualsLower(_ bytes: UnsafeBufferPointer<UInt8>, _ lower: StaticString) -> Bool {
    guard bytes.count == lower.utf8CodeUnitCount else { return false }
    let l = lower.utf8Start
    for i in 0..<bytes.count where bytes[i] | 0x20 != l[i] && bytes[i] != l[i] { return false }
    return true
}

extension HTTPHeaders {
    /// True when the comma-separated `value` contains `token` (case-insensitive).
    func tokenList(_ value: String, contains token: String) -> Bool {
        for part in value.split(separator: ",") where Self.equalsIgnoringCase(trimOWS(part), token) { return true }
        return false
    }
}
