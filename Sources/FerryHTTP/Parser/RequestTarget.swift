/// The decoded parts of a request target (origin-form `/path?query`; absolute-form is reduced to its path).
struct RequestTarget: Sendable {
    var path: String
    var segments: [String]
    var rawQuery: Substring
    var queryItems: [(name: String, value: String)]

    /// Splits and percent-decodes `target`. Throws on a malformed `%` escape.
    static func parse(_ target: String) throws(HTTPParseError) -> RequestTarget {
        var pathPart: Substring
        var query: Substring = ""
        if let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            pathPart = target[..<q]
            query = target[target.index(after: q)...]
        } else {
            pathPart = target[...]
        }
        // Absolute-form (`http://host/path`): keep only the path.
        if pathPart.utf8.first != UInt8(ascii: "/") {
            if pathPart == "*" {
                return RequestTarget(path: "*", segments: ["*"], rawQuery: query, queryItems: [])
            }
            let lower = pathPart.lowercased()
            let schemeLength: Int
            if lower.hasPrefix("http://") {
                schemeLength = 7
            } else if lower.hasPrefix("https://") {
                schemeLength = 8
            } else {
                throw .invalidTarget
            }
            let afterAuthority = pathPart.dropFirst(schemeLength)
            if let slash = afterAuthority.utf8.firstIndex(of: UInt8(ascii: "/")) {
                pathPart = afterAuthority[slash...]
            } else {
                pathPart = "/"
            }
        }
        let path: String
        if pathPart.utf8.contains(UInt8(ascii: "%")) {
            path = try percentDecode(pathPart, plusAsSpace: false)
        } else {
            path = String(pathPart)
        }
        var segments: [String] = []
        if pathPart != "/" {
            segments.reserveCapacity(8)  // API paths have at most 7 segments: one allocation
            var rest = pathPart.dropFirst()
            while true {
                if let slash = rest.utf8.firstIndex(of: UInt8(ascii: "/")) {
                    segments.append(try decodeIfNeeded(rest[..<slash], plusAsSpace: false))
                    rest = rest[rest.index(after: slash)...]
                } else {
                    segments.append(try decodeIfNeeded(rest, plusAsSpace: false))
                    break
                }
            }
        }
        var items: [(name: String, value: String)] = []
        if !query.isEmpty {
            for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
                if let eq = pair.utf8.firstIndex(of: UInt8(ascii: "=")) {
                    items.append(
                        (
                            try decodeIfNeeded(pair[..<eq], plusAsSpace: true),
                            try decodeIfNeeded(pair[pair.index(after: eq)...], plusAsSpace: true)
                        ))
                } else {
                    items.append((try decodeIfNeeded(pair, plusAsSpace: true), ""))
                }
            }
        }
        return RequestTarget(path: path, segments: segments, rawQuery: query, queryItems: items)
    }

    @inline(__always)
    static func decodeIfNeeded(_ s: Substring, plusAsSpace: Bool) throws(HTTPParseError) -> String {
        let utf8 = s.utf8
        if !utf8.contains(UInt8(ascii: "%")) && !(plusAsSpace && utf8.contains(UInt8(ascii: "+"))) {
            return String(s)
        }
        return try percentDecode(s, plusAsSpace: plusAsSpace)
    }

    /// Decodes `%XX` escapes (and `+` as space when asked). Invalid UTF-8 in the result becomes U+FFFD.
    static func percentDecode(_ s: Substring, plusAsSpace: Bool) throws(HTTPParseError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let byte = it.next() {
            if byte == UInt8(ascii: "%") {
                guard let h = it.next(), let l = it.next(), let hv = hexValue(h), let lv = hexValue(l) else {
                    throw .invalidPercentEncoding
                }
                out.append(hv << 4 | lv)
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(byte)
            }
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

/// RFC 9110 `tchar`: the characters of a token (methods, header names).
@inline(__always)
func isTokenByte(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
        UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        return true
    default:
        return false
    }
}

/// The lowercase hex digit for `value` (0…15).
@inline(__always)
func hexDigit(_ value: UInt64) -> UInt8 {
    let v = UInt8(truncatingIfNeeded: value & 0xF)
    return v < 10 ? 0x30 + v : 0x57 + v
}
