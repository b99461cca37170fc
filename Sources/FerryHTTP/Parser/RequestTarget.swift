/// The decoded parts of a request target (origin-form `/path?query`; absolute-form is reduced to its path).
struct RequestTarget: Sendable {
    var path: String
    var segments: [String]
    var rawQuery: Substring
    var queryItems: [(name: String, value: String)]

    /// Splits and percent-decodes `target`. Throws on a malformed `%` escape.
    static func parse(_ target: String) throws(HTTPParseError) -> RequestTarget {
        var contiguous = target
        let parsed = contiguous.withUTF8 { bytes in
            Result { () throws(HTTPParseError) in try parse(bytes, of: target) }
        }
        return try parsed.get()
    }

    /// Parses the UTF-8 bytes of `target` with offsets into one buffer; the strings it returns are built from
    /// byte ranges (segments of up to 15 bytes need no allocation), and a path that is the whole target shares
    /// its storage. Every separator it looks for is ASCII, so each range starts and ends on a character boundary.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, of target: String) throws(HTTPParseError)
        -> RequestTarget
    {
        let count = bytes.count
        let questionMark = bytes.firstIndex(of: UInt8(ascii: "?")) ?? count
        let query: Substring =
            questionMark < count
            ? target[target.utf8.index(target.utf8.startIndex, offsetBy: questionMark + 1)...] : ""
        let queryBytes = UnsafeBufferPointer(rebasing: bytes[min(questionMark + 1, count)...])
        var pathStart = 0
        if questionMark == 0 || bytes[0] != UInt8(ascii: "/") {
            if questionMark == 1 && bytes[0] == UInt8(ascii: "*") {
                return RequestTarget(path: "*", segments: ["*"], rawQuery: query, queryItems: [])
            }
            // Absolute-form (`http://host/path`): keep only the path.
            let schemeLength: Int
            if hasPrefixIgnoringCase(bytes, below: questionMark, "http://") {
                schemeLength = 7
            } else if hasPrefixIgnoringCase(bytes, below: questionMark, "https://") {
                schemeLength = 8
            } else {
                throw .invalidTarget
            }
            guard let slash = bytes[schemeLength..<questionMark].firstIndex(of: UInt8(ascii: "/")) else {
                return RequestTarget(path: "/", segments: [], rawQuery: query, queryItems: try items(of: queryBytes))
            }
            pathStart = slash
        }
        let pathBytes = UnsafeBufferPointer(rebasing: bytes[pathStart..<questionMark])
        let path: String
        if pathBytes.contains(UInt8(ascii: "%")) {
            path = try percentDecode(pathBytes, plusAsSpace: false)
        } else if pathStart == 0 && questionMark == count {
            path = target
        } else {
            path = String(decoding: pathBytes, as: UTF8.self)
        }
        var segments: [String] = []
        if pathBytes.count > 1 {
            segments.reserveCapacity(8)  // API paths have at most 7 segments: one allocation
            try forEachPart(of: UnsafeBufferPointer(rebasing: pathBytes[1...]), separatedBy: UInt8(ascii: "/")) {
                segment throws(HTTPParseError) in
                segments.append(try decodeIfNeeded(segment, plusAsSpace: false))
            }
        }
        return RequestTarget(path: path, segments: segments, rawQuery: query, queryItems: try items(of: queryBytes))
    }

    /// The `&`-separated items of a raw query (empty items skipped), each split at its first `=` and decoded.
    private static func items(of query: UnsafeBufferPointer<UInt8>) throws(HTTPParseError)
        -> [(name: String, value: String)]
    {
        var items: [(name: String, value: String)] = []
        try forEachPart(of: query, separatedBy: UInt8(ascii: "&")) { item throws(HTTPParseError) in
            guard !item.isEmpty else { return }
            if let equals = item.firstIndex(of: UInt8(ascii: "=")) {
                items.append(
                    (
                        try decodeIfNeeded(UnsafeBufferPointer(rebasing: item[..<equals]), plusAsSpace: true),
                        try decodeIfNeeded(UnsafeBufferPointer(rebasing: item[(equals + 1)...]), plusAsSpace: true)
                    ))
            } else {
                items.append((try decodeIfNeeded(item, plusAsSpace: true), ""))
            }
        }
        return items
    }

    /// Calls `body` with each run of `bytes` between separators, in order, empty runs included (`a//b/` gives
    /// `a`, ``, `b`, ``); an empty buffer has no parts.
    private static func forEachPart(
        of bytes: UnsafeBufferPointer<UInt8>, separatedBy separator: UInt8,
        _ body: (UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Void
    ) throws(HTTPParseError) {
        guard !bytes.isEmpty else { return }
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == separator {
            try body(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            start = index + 1
        }
    }

    /// True when the first `limit` bytes start with `prefix` (lowercase ASCII), ignoring ASCII case.
    private static func hasPrefixIgnoringCase(
        _ bytes: UnsafeBufferPointer<UInt8>, below limit: Int, _ prefix: StaticString
    ) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard limit >= length else { return false }
        return asciiEqualsLower(UnsafeBufferPointer(rebasing: bytes[0..<length]), prefix)
    }

    @inline(__always)
    static func decodeIfNeeded(_ bytes: UnsafeBufferPointer<UInt8>, plusAsSpace: Bool) throws(HTTPParseError)
        -> String
    {
        if !bytes.contains(UInt8(ascii: "%")) && !(plusAsSpace && bytes.contains(UInt8(ascii: "+"))) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return try percentDecode(bytes, plusAsSpace: plusAsSpace)
    }

    /// Decodes `%XX` escapes (and `+` as space when asked). Invalid UTF-8 in the result becomes U+FFFD.
    static func percentDecode(_ bytes: UnsafeBufferPointer<UInt8>, plusAsSpace: Bool) throws(HTTPParseError)
        -> String
    {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]),
                    let low = hexValue(bytes[index + 2])
                else { throw .invalidPercentEncoding }
                out.append(high << 4 | low)
                index += 3
                continue
            }
            out.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

@inline(__always)
func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// RFC 9110 `tchar`: the characters of a token (methods, header names): one bit per ASCII byte in two masks
/// (digits, letters and ``!#$%&'*+-.^_`|~``), so the check per byte is a shift and an AND.
@inline(__always)
func isTokenByte(_ c: UInt8) -> Bool {
    if c < 64 { return (tokenBitsBelow64 >> UInt64(c)) & 1 == 1 }
    if c < 128 { return (tokenBitsFrom64 >> UInt64(c - 64)) & 1 == 1 }
    return false
}

/// Token bytes 0…63: `!` `#` `$` `%` `&` `'` `*` `+` `-` `.` and the digits (a constant, so no lazy global
/// is touched per byte; a test checks it against the RFC's list).
let tokenBitsBelow64: UInt64 = 0x03ff_6cfa_0000_0000

/// Token bytes 64…127: the letters, `^` `_` `` ` `` `|` `~`.
let tokenBitsFrom64: UInt64 = 0x57ff_ffff_c7ff_fffe

/// The lowercase hex digit for `value` (0…15).
@inline(__always)
func hexDigit(_ value: UInt64) -> UInt8 {
    let v = UInt8(truncatingIfNeeded: value & 0xF)
    return v < 10 ? 0x30 + v : 0x57 + v
}
