/// A write cursor over a buffer the caller sized for everything written (no bounds checks in release): the
/// one-pass formatter of the fetch path's compact messages and of produce responses. Not thread-safe (a value
/// on the writer's stack); the caller owns the buffer and guarantees its size.
package struct CompactOutput: JSONByteSink {
    package let base: UnsafeMutablePointer<UInt8>
    package var count = 0

    @inlinable
    package init(base: UnsafeMutablePointer<UInt8>) { self.base = base }

    @inlinable @inline(__always)
    package mutating func byte(_ value: UInt8) {
        base[count] = value
        count += 1
    }

    @inlinable @inline(__always)
    package mutating func literal(_ text: StaticString) {
        (base + count).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        count += text.utf8CodeUnitCount
    }

    @inlinable @inline(__always)
    package mutating func appendByte(_ value: UInt8) { byte(value) }

    @inlinable @inline(__always)
    package mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) { raw(bytes) }

    @inlinable @inline(__always)
    package mutating func raw(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Decimal digits of `value`, `-` first when negative (``JSONText/appendDecimal(_:to:)``).
    @inlinable @inline(__always)
    package mutating func decimal(_ value: Int64) {
        JSONText.appendDecimal(value, to: &self)
    }

    /// `"` + the bytes with JSON escaping + `"` (``JSONText/appendEscaped(_:quoted:to:)``). Needs up to
    /// `2 + 6 * count` bytes.
    @inlinable @inline(__always)
    package mutating func escaped(_ bytes: UnsafeRawBufferPointer) {
        JSONText.appendEscaped(bytes, to: &self)
    }
}
