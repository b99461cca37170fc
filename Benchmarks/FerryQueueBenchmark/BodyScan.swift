// Scans of response bodies, lean on purpose (no JSON parsing), so the client costs far less CPU than the server.

/// The index of the first occurrence of `needle` in `haystack` (ASCII case-insensitive when asked).
func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>, caseInsensitive: Bool = false) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    var index = haystack.startIndex
    let last = haystack.endIndex - needle.count
    while index <= last {
        var matched = 0
        while matched < needle.count {
            var byte = haystack[index + matched]
            if caseInsensitive && byte >= 65 && byte <= 90 { byte += 32 }
            if byte != needle[matched] { break }
            matched += 1
        }
        if matched == needle.count { return index }
        index += 1
    }
    return nil
}

/// Every string value of `"name":"…"` members (receipts and member ids hold no escapes).
func values(of name: String, in body: ArraySlice<UInt8>) -> [String] {
    let needle = Array("\"\(name)\":\"".utf8)
    var found: [String] = []
    var rest = body
    while let at = find(needle, in: rest) {
        let start = at + needle.count
        var end = start
        while end < rest.endIndex && rest[end] != UInt8(ascii: "\"") { end += 1 }
        found.append(String(decoding: rest[start..<end], as: UTF8.self))
        rest = rest[end...]
    }
    return found
}

/// How many times `needle` occurs in `body`.
func count(of needle: String, in body: ArraySlice<UInt8>) -> Int {
    let bytes = Array(needle.utf8)
    var total = 0
    var rest = body
    while let at = find(bytes, in: rest) {
        total += 1
        rest = rest[(at + bytes.count)...]
    }
    return total
}
