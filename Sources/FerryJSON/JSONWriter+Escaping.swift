/// String escaping and number formatting for ``JSONWriter``.
extension JSONWriter {
    /// `\u00XX` spelling for control characters without a short escape; lowercase hex.
    private static let hexDigits: StaticString = "0123456789abcdef"

    /// True if any of the 8 bytes needs escaping (`"`, `\`, control character). Non-ASCII passes.
    @inline(__always)
    private static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- (ones &* 0x20)) & ~word
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        return ((zeroQuote | zeroBackslash | control) & highs) != 0
    }

    @inline(__always)
    mutating func appendEscapedString(_ string: String) {
        var string = string
        string.withUTF8 { appendEscaped(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `"` + escaped UTF-8 + `"`, copying runs that need no escaping in one go.
    mutating func appendEscaped(_ utf8: UnsafeRawBufferPointer) {
        bytes.append(UInt8(ascii: "\""))
        guard let raw = utf8.baseAddress else {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let count = utf8.count
        var run = 0
        var p = 0
        while p < count {
            while p + 8 <= count, !Self.needsEscape(UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)) {
                p += 8
            }
            guard p < count else { break }
            let byte = base[p]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                p += 1
                continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(start: base + run, count: p - run))
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            default:
                let hex = Self.hexDigits.utf8Start
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    hex[Int(byte >> 4)], hex[Int(byte & 0x0F)],
                ])
            }
            p += 1
            run = p
        }
        bytes.append(contentsOf: UnsafeBufferPointer(start: base + run, count: count - run))
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends the decimal digits of `value` (with `-` if negative).
    @inline(__always)
    mutating func appendDecimal(_ value: Int64) {
        var magnitude = value.magnitude
        if magnitude < 10 {
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = 20
            while magnitude > 0 {
                i -= 1
                digits[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            if value < 0 {
                i -= 1
                digits[i] = UInt8(ascii: "-")
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i...]))
        }
    }
}
