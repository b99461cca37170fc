/// Reads Kafka protocol primitives (big-endian integers, varints, strings, bytes, arrays, tagged fields) from
/// one received frame.
///
/// Every read is bounds-checked and throws ``KafkaWireError`` instead of trapping, whatever the bytes are: a
/// frame comes from a client. Counts are checked against the bytes left before anything is allocated, so a
/// hostile length cannot make the broker reserve memory the frame does not back.
public struct KafkaReader {
    public let bytes: [UInt8]
    /// Index of the next byte to read.
    public private(set) var position: Int
    /// One past the last readable byte.
    public let end: Int

    public init(_ bytes: [UInt8], from start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = min(end ?? bytes.count, bytes.count)
    }

    public var remaining: Int { end - position }
    public var isAtEnd: Bool { position >= end }

    @inline(__always)
    private mutating func take(_ count: Int) throws(KafkaWireError) -> Int {
        guard count >= 0, count <= end - position else { throw .truncated(position: position) }
        let start = position
        position += count
        return start
    }

    // MARK: Fixed-width integers (big-endian)

    public mutating func int8() throws(KafkaWireError) -> Int8 { Int8(bitPattern: bytes[try take(1)]) }

    public mutating func bool() throws(KafkaWireError) -> Bool { try int8() != 0 }

    public mutating func int16() throws(KafkaWireError) -> Int16 {
        let at = try take(2)
        return Int16(bitPattern: UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1]))
    }

    public mutating func int32() throws(KafkaWireError) -> Int32 { Int32(bitPattern: try uint32()) }

    public mutating func uint32() throws(KafkaWireError) -> UInt32 {
        let at = try take(4)
        var value: UInt32 = 0
        for i in 0..<4 { value = value << 8 | UInt32(bytes[at + i]) }
        return value
    }

    public mutating func int64() throws(KafkaWireError) -> Int64 {
        let at = try take(8)
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(bytes[at + i]) }
        return Int64(bitPattern: value)
    }

    public mutating func uuid() throws(KafkaWireError) -> [UInt8] {
        let at = try take(16)
        return Array(bytes[at..<(at + 16)])
    }

    // MARK: Variable-length integers

    /// An unsigned LEB128 varint of at most 32 bits.
    public mutating func unsignedVarint() throws(KafkaWireError) -> UInt32 {
        var value: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            let byte = bytes[try take(1)]
            value |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            guard shift < 35 else { throw .invalid("varint longer than 5 bytes") }
        }
    }

    /// A zigzag varint of at most 32 bits.
    public mutating func varint() throws(KafkaWireError) -> Int32 {
        let raw = try unsignedVarint()
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A zigzag varlong of at most 64 bits.
    public mutating func varlong() throws(KafkaWireError) -> Int64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = bytes[try take(1)]
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            guard shift < 70 else { throw .invalid("varlong longer than 10 bytes") }
        }
        return Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }

    // MARK: Strings and bytes

    /// A STRING (int16 length); throws on null.
    public mutating func string() throws(KafkaWireError) -> String {
        guard let value = try nullableString() else { throw .invalid("null where a string is required") }
        return value
    }

    /// A NULLABLE_STRING (int16 length, -1 = null).
    public mutating func nullableString() throws(KafkaWireError) -> String? {
        let length = Int(try int16())
        if length < 0 { return nil }
        return try utf8(length)
    }

    /// A COMPACT_STRING (unsigned varint length + 1); throws on null.
    public mutating func compactString() throws(KafkaWireError) -> String {
        guard let value = try compactNullableString() else { throw .invalid("null where a string is required") }
        return value
    }

    /// A COMPACT_NULLABLE_STRING (unsigned varint length + 1, 0 = null).
    public mutating func compactNullableString() throws(KafkaWireError) -> String? {
        let lengthPlusOne = Int(try unsignedVarint())
        if lengthPlusOne == 0 { return nil }
        return try utf8(lengthPlusOne - 1)
    }

    private mutating func utf8(_ length: Int) throws(KafkaWireError) -> String {
        let at = try take(length)
        guard let text = String(validating: bytes[at..<(at + length)], as: UTF8.self) else {
            throw .invalid("string is not UTF-8")
        }
        return text
    }

    /// BYTES (int32 length); null reads as empty.
    public mutating func bytesField() throws(KafkaWireError) -> [UInt8] { try nullableBytes() ?? [] }

    /// NULLABLE_BYTES (int32 length, -1 = null).
    public mutating func nullableBytes() throws(KafkaWireError) -> [UInt8]? {
        let length = Int(try int32())
        if length < 0 { return nil }
        let at = try take(length)
        return Array(bytes[at..<(at + length)])
    }

    /// The range of a NULLABLE_BYTES field without copying it (nil = null), for record sets.
    public mutating func nullableBytesRange() throws(KafkaWireError) -> Range<Int>? {
        let length = Int(try int32())
        if length < 0 { return nil }
        let at = try take(length)
        return at..<(at + length)
    }

    /// COMPACT_BYTES (unsigned varint length + 1); null reads as empty.
    public mutating func compactBytes() throws(KafkaWireError) -> [UInt8] {
        let lengthPlusOne = Int(try unsignedVarint())
        if lengthPlusOne == 0 { return [] }
        let at = try take(lengthPlusOne - 1)
        return Array(bytes[at..<(at + lengthPlusOne - 1)])
    }

    /// Raw bytes of a known length (record keys and values inside a batch).
    public mutating func raw(_ count: Int) throws(KafkaWireError) -> [UInt8] {
        let at = try take(count)
        return Array(bytes[at..<(at + count)])
    }

    public mutating func skip(_ count: Int) throws(KafkaWireError) { _ = try take(count) }

    // MARK: Arrays and tagged fields

    /// An ARRAY's element count (int32, -1 = null, read as 0). Each element takes at least `minimumElementBytes`,
    /// so a count the frame cannot hold is refused before any allocation.
    public mutating func arrayCount(minimumElementBytes: Int = 1) throws(KafkaWireError) -> Int {
        let count = Int(try int32())
        if count < 0 { return 0 }
        return try checkedCount(count, minimumElementBytes)
    }

    /// A COMPACT_ARRAY's element count (unsigned varint count + 1, 0 = null, read as 0).
    public mutating func compactArrayCount(minimumElementBytes: Int = 1) throws(KafkaWireError) -> Int {
        let countPlusOne = Int(try unsignedVarint())
        if countPlusOne == 0 { return 0 }
        return try checkedCount(countPlusOne - 1, minimumElementBytes)
    }

    private func checkedCount(_ count: Int, _ minimumElementBytes: Int) throws(KafkaWireError) -> Int {
        guard count <= remaining / max(1, minimumElementBytes) else {
            throw .invalid("array of \(count) elements does not fit in the frame")
        }
        return count
    }

    /// Reads `count` elements with `element`.
    public mutating func array<Element>(
        minimumElementBytes: Int = 1, _ element: (inout KafkaReader) throws(KafkaWireError) -> Element
    ) throws(KafkaWireError) -> [Element] {
        let count = try arrayCount(minimumElementBytes: minimumElementBytes)
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try element(&self)) }
        return elements
    }

    /// Reads a compact array's elements with `element`.
    public mutating func compactArray<Element>(
        minimumElementBytes: Int = 1, _ element: (inout KafkaReader) throws(KafkaWireError) -> Element
    ) throws(KafkaWireError) -> [Element] {
        let count = try compactArrayCount(minimumElementBytes: minimumElementBytes)
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try element(&self)) }
        return elements
    }

    /// Skips a tagged-field section (flexible versions): a count, then (tag, size, bytes) per field.
    public mutating func skipTaggedFields() throws(KafkaWireError) {
        let count = Int(try unsignedVarint())
        guard count <= remaining / 2 else { throw .invalid("too many tagged fields") }
        for _ in 0..<count {
            _ = try unsignedVarint()
            let size = Int(try unsignedVarint())
            try skip(size)
        }
    }
}
