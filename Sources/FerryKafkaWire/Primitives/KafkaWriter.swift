/// Writes Kafka protocol primitives into a growing byte buffer (big-endian integers, varints, strings, bytes,
/// arrays, empty tagged-field sections).
public struct KafkaWriter {
    public var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    // MARK: Fixed-width integers (big-endian)

    public mutating func int8(_ value: Int8) { bytes.append(UInt8(bitPattern: value)) }
    public mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func int16(_ value: Int16) {
        let v = UInt16(bitPattern: value)
        bytes.append(UInt8(v >> 8))
        bytes.append(UInt8(v & 0xFF))
    }

    public mutating func int32(_ value: Int32) { uint32(UInt32(bitPattern: value)) }

    public mutating func uint32(_ value: UInt32) {
        bytes.append(UInt8(value >> 24))
        bytes.append(UInt8((value >> 16) & 0xFF))
        bytes.append(UInt8((value >> 8) & 0xFF))
        bytes.append(UInt8(value & 0xFF))
    }

    public mutating func int64(_ value: Int64) {
        let v = UInt64(bitPattern: value)
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((v >> UInt64(shift)) & 0xFF)) }
    }

    public mutating func uuid(_ value: [UInt8]) {
        precondition(value.count == 16, "a UUID is 16 bytes")
        bytes.append(contentsOf: value)
    }

    /// Overwrites 4 bytes at `position` (a length or CRC known only after what follows was written).
    public mutating func patchInt32(_ value: Int32, at position: Int) {
        let v = UInt32(bitPattern: value)
        bytes[position] = UInt8(v >> 24)
        bytes[position + 1] = UInt8((v >> 16) & 0xFF)
        bytes[position + 2] = UInt8((v >> 8) & 0xFF)
        bytes[position + 3] = UInt8(v & 0xFF)
    }

    // MARK: Variable-length integers

    public mutating func unsignedVarint(_ value: UInt32) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func varint(_ value: Int32) {
        unsignedVarint(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
    }

    public mutating func varlong(_ value: Int64) {
        var v = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    // MARK: Strings and bytes

    public mutating func string(_ value: String) { nullableString(value) }

    public mutating func nullableString(_ value: String?) {
        guard let value else { return int16(-1) }
        let utf8 = Array(value.utf8)
        int16(Int16(truncatingIfNeeded: utf8.count))
        bytes.append(contentsOf: utf8)
    }

    public mutating func compactString(_ value: String) { compactNullableString(value) }

    public mutating func compactNullableString(_ value: String?) {
        guard let value else { return unsignedVarint(0) }
        let utf8 = Array(value.utf8)
        unsignedVarint(UInt32(utf8.count + 1))
        bytes.append(contentsOf: utf8)
    }

    public mutating func bytesField(_ value: [UInt8]) { nullableBytes(value) }

    public mutating func nullableBytes(_ value: [UInt8]?) {
        guard let value else { return int32(-1) }
        int32(Int32(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func compactBytes(_ value: [UInt8]) {
        unsignedVarint(UInt32(value.count + 1))
        bytes.append(contentsOf: value)
    }

    public mutating func raw(_ value: [UInt8]) { bytes.append(contentsOf: value) }
    public mutating func raw(_ value: UnsafeRawBufferPointer) { bytes.append(contentsOf: value) }

    // MARK: Arrays and tagged fields

    public mutating func array<Element>(_ elements: [Element], _ element: (inout KafkaWriter, Element) -> Void) {
        int32(Int32(elements.count))
        for e in elements { element(&self, e) }
    }

    public mutating func compactArray<Element>(
        _ elements: [Element], _ element: (inout KafkaWriter, Element) -> Void
    ) {
        unsignedVarint(UInt32(elements.count + 1))
        for e in elements { element(&self, e) }
    }

    /// An empty tagged-field section (flexible versions).
    public mutating func emptyTaggedFields() { bytes.append(0) }
}
