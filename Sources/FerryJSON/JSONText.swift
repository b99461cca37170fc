/// Where JSON text goes: a growable array, or a caller's preallocated buffer (the fetch path's
/// `CompactOutput`). The one JSON string escaper and decimal formatter below write through it.
public protocol JSONByteSink {
    mutating func appendByte(_ byte: UInt8)
    mutating func appendBytes(_ bytes: UnsafeRawBufferPointer)
}

extension Array: JSONByteSink where Element == UInt8 {
    @inlinable @inline(__always)
    public mutating func appendByte(_ byte: UInt8) { append(byte) }

    @inlinable @inline(__always)
    public mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
}

/// RFC 8259 string escaping and integer text: Ferry's one copy of each (the JSON writer, the compact fetch
/// writer and the HTTP problem bodies use it). Generic over the sink and inlinable, so each caller gets code
/// specialised for its sink. Pure functions; safe from any thread.
public enum JSONText {
    /// True if any of the 8 bytes needs escaping (`"`, `\`, a control character); non-ASCII passes.
    @inlinable @inline(__always)
    public static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- (ones &* 0x20)) & ~word
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        return ((zeroQuote | zeroBackslash | control) & highs) != 0
    }

    /// Appends the escaped UTF-8 `text` (with the surrounding quotes when `quoted`), copying runs that need no
    /// escaping in one go and testing 8 bytes at a time. At most `2 + 6 * text.count` bytes.
    @inlinable
    public static func appendEscaped<Sink: JSONByteSink>(
        _ text: UnsafeRawBufferPointer, quoted: Bool = true, to sink: inout Sink
    ) {
        if quoted { sink.appendByte(UInt8(ascii: "\"")) }
        defer { if quoted { sink.appendByte(UInt8(ascii: "\"")) } }
        guard let source = text.baseAddress, !text.isEmpty else { return }
        let count = text.count
        var p = 0
        var run = 0
        while p < count {
            while p + 8 <= count, !needsEscape(source.loadUnaligned(fromByteOffset: p, as: UInt64.self)) { p += 8 }
            guard p < count else { break }
            let value = source.load(fromByteOffset: p, as: UInt8.self)
            guard value < 0x20 || value == UInt8(ascii: "\"") || value == UInt8(ascii: "\\") else {
                p += 1
                continue
            }
            sink.appendBytes(UnsafeRawBufferPointer(start: source + run, count: p - run))
            sink.appendByte(UInt8(ascii: "\\"))
            switch value {
            case UInt8(ascii: "\""): sink.appendByte(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): sink.appendByte(UInt8(ascii: "\\"))
            case 0x08: sink.appendByte(UInt8(ascii: "b"))
            case 0x0C: sink.appendByte(UInt8(ascii: "f"))
            case 0x0A: sink.appendByte(UInt8(ascii: "n"))
            case 0x0D: sink.appendByte(UInt8(ascii: "r"))
            case 0x09: sink.appendByte(UInt8(ascii: "t"))
            default:
                sink.appendByte(UInt8(ascii: "u"))
                sink.appendByte(UInt8(ascii: "0"))
                sink.appendByte(UInt8(ascii: "0"))
                sink.appendByte(hex(value >> 4))
                sink.appendByte(hex(value & 0x0F))
            }
            p += 1
            run = p
        }
        sink.appendBytes(UnsafeRawBufferPointer(start: source + run, count: count - run))
    }

    /// Appends the escaped UTF-8 of `string` (see ``appendEscaped(_:quoted:to:)``).
    @inlinable
    public static func appendEscaped<Sink: JSONByteSink>(_ string: String, quoted: Bool = true, to sink: inout Sink) {
        var string = string
        string.withUTF8 { appendEscaped(UnsafeRawBufferPointer($0), quoted: quoted, to: &sink) }
    }

    /// Lowercase hex digit of a nibble.
    @inlinable @inline(__always)
    public static func hex(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ (nibble - 10)
    }

    /// "00" "01" … "99": two digits per table read halve the divisions.
    @usableFromInline
    static let digitPairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// Appends the decimal digits of `value`, `-` first when negative (at most 20 bytes). Digits are formed two
    /// at a time from the end in a 24-byte scratch, then appended once (no digit-counting pass).
    @inlinable
    public static func appendDecimal<Sink: JSONByteSink>(_ value: Int64, to sink: inout Sink) {
        var magnitude = value.magnitude
        if value < 0 { sink.appendByte(UInt8(ascii: "-")) }
        if magnitude < 10 {
            sink.appendByte(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude))
            return
        }
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let pairs = digitPairs.utf8Start
        withUnsafeMutableBytes(of: &scratch) { digits in
            let end = digits.count
            var i = end
            while magnitude >= 100 {
                let pair = Int(truncatingIfNeeded: magnitude % 100) &* 2
                magnitude /= 100
                i -= 2
                digits[i] = pairs[pair]
                digits[i + 1] = pairs[pair + 1]
            }
            if magnitude >= 10 {
                let pair = Int(truncatingIfNeeded: magnitude) &* 2
                i -= 2
                digits[i] = pairs[pair]
                digits[i + 1] = pairs[pair + 1]
            } else {
                i -= 1
                digits[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude)
            }
            sink.appendBytes(UnsafeRawBufferPointer(rebasing: digits[i..<end]))
        }
    }
}
