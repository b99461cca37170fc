import FerryBroker
import FerryJSON

/// The fetch hot path's fast form of ``MessageEncoding/writeGeneral(_:topic:partition:base64:into:)``: the
/// whole message object is formatted into one stack buffer and handed to the writer in a single append, instead
/// of ~20 separate appends (each with its own uniqueness and capacity check).
///
/// Output is byte-for-byte the general writer's (same member order, same escaping: `\"`, `\\`, `\b \f \n \r \t`,
/// other control characters as lowercase `\u00xx`, everything else as is). It covers messages without headers,
/// without `encoding=base64`, whose key and raw value are valid UTF-8 and whose encoded size bound is at most
/// ``maxCompactBytes``; anything else returns false and the caller uses the general writer.
extension MessageEncoding {
    /// Upper bound of the formatted size handled here (larger messages are dominated by their copy anyway).
    static let maxCompactBytes = 16_384

    /// Writes `message` like the general writer and returns true, or writes nothing and returns false.
    static func writeCompact(
        _ message: borrowing StoredMessage, topic: String, partition: Int, into writer: inout JSONWriter
    ) -> Bool {
        // Bound: literals (< 128) + 3 numbers (<= 20 each) + escaped strings (<= 6 bytes per input byte).
        var bound = 128 + 60
        var topic = topic
        let topicCount = topic.utf8.count
        bound += 2 + 6 * topicCount
        if let key = message.key {
            guard isValidUTF8(key) else { return false }
            bound += 2 + 6 * key.count
        }
        let jsonValue = message.valueFormat == .json
        if let value = message.value {
            if jsonValue {
                bound += value.count
            } else {
                guard isValidUTF8(value) else { return false }
                bound += 2 + 6 * value.count
            }
        }
        guard bound <= maxCompactBytes else { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { buffer -> Bool in
            var out = CompactOutput(base: buffer.baseAddress!)  // bound > 0: the literals alone
            out.literal("{\"topic\":")
            topic.withUTF8 { out.escaped(UnsafeRawBufferPointer($0)) }
            out.literal(",\"partition\":")
            out.decimal(Int64(partition))
            out.literal(",\"offset\":")
            out.decimal(message.offset)
            out.literal(",\"timestamp\":")
            out.decimal(message.timestamp)
            out.literal(",\"key\":")
            if let key = message.key { out.escaped(key) } else { out.literal("null") }
            out.literal(",\"value\":")
            if let value = message.value {
                if jsonValue { out.raw(value) } else { out.escaped(value) }
            } else {
                out.literal("null")
            }
            out.literal(",\"headers\":{}}")
            assert(out.count <= bound)
            writer.rawJSON(UnsafeRawBufferPointer(start: buffer.baseAddress, count: out.count))
            return true
        }
    }
}

/// A write cursor over a buffer the caller sized for everything written (no bounds checks in release).
struct CompactOutput {
    let base: UnsafeMutablePointer<UInt8>
    var count = 0

    init(base: UnsafeMutablePointer<UInt8>) { self.base = base }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        base[count] = value
        count += 1
    }

    @inline(__always)
    mutating func literal(_ text: StaticString) {
        (base + count).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    @inline(__always)
    mutating func raw(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// "00" "01" … "99": two digits per table read halves the divisions.
    static let digitPairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// Decimal digits of `value`, `-` first when negative. Digits are formed two at a time from the end in a
    /// 24-byte scratch, then copied (no digit-counting pass).
    mutating func decimal(_ value: Int64) {
        var magnitude = value.magnitude
        if value < 0 { byte(UInt8(ascii: "-")) }
        if magnitude < 10 {
            byte(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude))
            return
        }
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let pairs = Self.digitPairs.utf8Start
        let written = withUnsafeMutableBytes(of: &scratch) { digits -> Int in
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
            UnsafeMutableRawPointer(base + count).copyMemory(from: digits.baseAddress! + i, byteCount: end - i)  // 20-byte buffer
            return end - i
        }
        count += written
    }

    /// True if any of the 8 bytes is `"`, `\` or a control character (< 0x20).
    @inline(__always)
    static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- (ones &* 0x20)) & ~word
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        return ((zeroQuote | zeroBackslash | control) & highs) != 0
    }

    /// `"` + the bytes with JSON escaping (as `JSONWriter` escapes) + `"`. Needs up to `2 + 6 * count` bytes.
    mutating func escaped(_ bytes: UnsafeRawBufferPointer) {
        byte(UInt8(ascii: "\""))
        let count = bytes.count
        if let source = bytes.baseAddress, count > 0 {
            var p = 0
            var run = 0
            while p < count {
                while p + 8 <= count, !Self.needsEscape(source.loadUnaligned(fromByteOffset: p, as: UInt64.self)) {
                    p += 8
                }
                guard p < count else { break }
                let value = source.load(fromByteOffset: p, as: UInt8.self)
                guard value < 0x20 || value == UInt8(ascii: "\"") || value == UInt8(ascii: "\\") else {
                    p += 1
                    continue
                }
                raw(UnsafeRawBufferPointer(start: source + run, count: p - run))
                byte(UInt8(ascii: "\\"))
                switch value {
                case UInt8(ascii: "\""): byte(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): byte(UInt8(ascii: "\\"))
                case 0x08: byte(UInt8(ascii: "b"))
                case 0x0C: byte(UInt8(ascii: "f"))
                case 0x0A: byte(UInt8(ascii: "n"))
                case 0x0D: byte(UInt8(ascii: "r"))
                case 0x09: byte(UInt8(ascii: "t"))
                default:
                    literal("u00")
                    byte(Self.hex(value >> 4))
                    byte(Self.hex(value & 0x0F))
                }
                p += 1
                run = p
            }
            raw(UnsafeRawBufferPointer(start: source + run, count: count - run))
        }
        byte(UInt8(ascii: "\""))
    }

    @inline(__always)
    static func hex(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ (nibble - 10)
    }
}
