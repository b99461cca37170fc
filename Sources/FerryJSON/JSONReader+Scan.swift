/// The location of a scanned string's content (between the quotes) in the input.
struct StringSpan {
    var start: Int
    var end: Int
    /// True if the content contains at least one backslash escape.
    var hasEscapes: Bool
}

/// Token scanners: each validates one string, number or literal starting at `position` and moves past it.
extension JSONReader {
    /// True if any of the 8 bytes in `word` is `"`, `\`, a control character or non-ASCII.
    @inline(__always)
    static func needsAttention(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = word &- (ones &* 0x20)
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        return ((zeroQuote | zeroBackslash | control | word) & highs) != 0
    }

    /// Scans the string whose opening quote is at `position`; leaves `position` after the closing quote.
    @inline(__always)
    mutating func scanString() throws -> StringSpan {
        let start = position + 1
        var p = start
        var hasEscapes = false
        while true {
            while p + 8 <= count, !Self.needsAttention(UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)) {
                p += 8
            }
            guard p < count else { throw syntax(count, .unexpectedEnd) }
            let byte = base[p]
            if byte == UInt8(ascii: "\"") {
                position = p + 1
                return StringSpan(start: start, end: p, hasEscapes: hasEscapes)
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                p = try scanEscape(at: p)
            } else if byte < 0x20 {
                throw syntax(p, .controlCharacter)
            } else if byte < 0x80 {
                p += 1
            } else {
                let next = utf8SequenceEnd(base, p, count)
                guard next > 0 else { throw syntax(p, .invalidUTF8) }
                p = next
            }
        }
    }

    /// Validates the escape whose backslash is at `p`; returns the index after it.
    private func scanEscape(at p: Int) throws -> Int {
        guard p + 1 < count else { throw syntax(count, .unexpectedEnd) }
        switch base[p + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return p + 2
        case UInt8(ascii: "u"):
            let unit = try hex4(at: p + 2)
            switch unit {
            case 0xD800...0xDBFF:
                guard p + 7 < count, base[p + 6] == UInt8(ascii: "\\"), base[p + 7] == UInt8(ascii: "u") else {
                    throw syntax(p, .loneSurrogate)
                }
                let low = try hex4(at: p + 8)
                guard (0xDC00...0xDFFF).contains(low) else { throw syntax(p, .loneSurrogate) }
                return p + 12
            case 0xDC00...0xDFFF:
                throw syntax(p, .loneSurrogate)
            default:
                return p + 6
            }
        default:
            throw syntax(p, .invalidEscape)
        }
    }

    /// The value of the 4 hex digits at `p`.
    func hex4(at p: Int) throws -> UInt32 {
        guard p + 4 <= count else { throw syntax(count, .unexpectedEnd) }
        var value: UInt32 = 0
        for i in p..<(p + 4) {
            let byte = base[i]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw syntax(i, .invalidEscape)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    @inline(__always)
    private func isDigit(_ p: Int) -> Bool {
        p < count && base[p] &- UInt8(ascii: "0") < 10
    }

    /// Scans the number starting at `position` (a `-` or digit); returns its start and leaves `position` after it.
    @inline(__always)
    mutating func scanNumber() throws -> Int {
        let start = position
        var p = position
        if base[p] == UInt8(ascii: "-") { p += 1 }
        guard p < count else { throw syntax(p, .invalidNumber) }
        if base[p] == UInt8(ascii: "0") {
            p += 1
            if isDigit(p) { throw syntax(p - 1, .leadingZero) }
        } else if isDigit(p) {
            p += 1
            while isDigit(p) { p += 1 }
        } else {
            throw syntax(p, .invalidNumber)
        }
        if p < count && base[p] == UInt8(ascii: ".") {
            p += 1
            guard isDigit(p) else { throw syntax(p, .invalidNumber) }
            while isDigit(p) { p += 1 }
        }
        if p < count && base[p] | 0x20 == UInt8(ascii: "e") {
            p += 1
            if p < count && (base[p] == UInt8(ascii: "+") || base[p] == UInt8(ascii: "-")) { p += 1 }
            guard isDigit(p) else { throw syntax(p, .invalidNumber) }
            while isDigit(p) { p += 1 }
        }
        position = p
        return start
    }

    /// Scans `true`, `false` or `null` at `position`; returns which one.
    @inline(__always)
    mutating func scanLiteral() throws -> JSONValue {
        let first = base[position]
        let (word, value): (StaticString, JSONValue) =
            switch first {
            case UInt8(ascii: "t"): ("true", .bool(true))
            case UInt8(ascii: "f"): ("false", .bool(false))
            default: ("null", .null)
            }
        let length = word.utf8CodeUnitCount
        let expected = word.utf8Start
        for i in 0..<length {
            guard position + i < count else { throw syntax(count, .unexpectedEnd) }
            guard base[position + i] == expected[i] else { throw syntax(position, .invalidLiteral) }
        }
        position += length
        return value
    }

    /// The decoded text of a scanned string.
    func decodeString(_ span: StringSpan) -> String {
        guard span.hasEscapes else { return String(decoding: bytes(span.start, span.end), as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(span.end - span.start)
        appendDecoded(span, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the unescaped UTF-8 bytes of a scanned (hence valid) string to `out`.
    func appendDecoded(_ span: StringSpan, to out: inout [UInt8]) {
        var p = span.start
        var run = p
        while p < span.end {
            guard base[p] == UInt8(ascii: "\\") else {
                p += 1
                continue
            }
            out.append(contentsOf: bytes(run, p))
            let escaped = base[p + 1]
            p += 2
            switch escaped {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                // Validated by scanString: hex digits are well formed and surrogates are paired.
                var scalar = (try? hex4(at: p)) ?? 0xFFFD
                p += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    let low = (try? hex4(at: p + 2)) ?? 0xDC00
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    p += 6
                }
                appendUTF8(scalar, to: &out)
            default: out.append(escaped)  // " \ /
            }
            run = p
        }
        out.append(contentsOf: bytes(run, span.end))
    }

    /// Appends the UTF-8 encoding of a Unicode scalar value (never a surrogate here).
    private func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
