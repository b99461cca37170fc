/// True when `bytes` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
///
/// Used to decide whether raw message bytes come back as a JSON string or as `value_base64`. Pure function;
/// ASCII is checked 8 bytes at a time.
public func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let raw = bytes.baseAddress else { return true }
    let base = raw.assumingMemoryBound(to: UInt8.self)
    let count = bytes.count
    var p = 0
    while p < count {
        while p + 8 <= count, UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            p += 8
        }
        guard p < count else { return true }
        if base[p] < 0x80 {
            p += 1
        } else {
            p = utf8SequenceEnd(base, p, count)
            if p < 0 { return false }
        }
    }
    return true
}

/// True when `bytes` is well-formed UTF-8. See ``isValidUTF8(_:)-(UnsafeRawBufferPointer)``.
public func isValidUTF8<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
    if let result = bytes.withContiguousStorageIfAvailable({ isValidUTF8(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return Array(bytes).withUnsafeBytes { isValidUTF8($0) }
}

/// The index just past the multi-byte UTF-8 sequence starting at `p` (where `base[p] >= 0x80`), or -1 when the
/// sequence is malformed or truncated by `count`.
@inline(__always)
func utf8SequenceEnd(_ base: UnsafePointer<UInt8>, _ p: Int, _ count: Int) -> Int {
    let b0 = base[p]
    let length: Int
    var low: UInt8 = 0x80
    var high: UInt8 = 0xBF
    switch b0 {
    case 0xC2...0xDF: length = 2
    case 0xE0:
        length = 3
        low = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: length = 3
    case 0xED:
        length = 3
        high = 0x9F
    case 0xF0:
        length = 4
        low = 0x90
    case 0xF1...0xF3: length = 4
    case 0xF4:
        length = 4
        high = 0x8F
    default: return -1
    }
    guard p + length <= count else { return -1 }
    let b1 = base[p + 1]
    guard b1 >= low && b1 <= high else { return -1 }
    if length >= 3 {
        guard base[p + 2] & 0xC0 == 0x80 else { return -1 }
        if length == 4 {
            guard base[p + 3] & 0xC0 == 0x80 else { return -1 }
        }
    }
    return p + length
}
