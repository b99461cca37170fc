/// The handle of one delivery: partition, offset and the lease's random nonce, written as 40 lowercase hex
/// digits (`pppppppp` `oooooooooooooooo` `nnnnnnnnnnnnnnnn`).
///
/// Opaque to clients. It proves nothing by itself: the server accepts it only while the slot at that offset is
/// leased with the same nonce and the lease has not ended, so a receipt of an ended lease (which may have been
/// leased again, with a new nonce) is stale and can never settle another receiver's lease. Nonces are 64 random
/// bits per lease (``LeaseNonceGenerator``), so guessing a live one is impractical.
public struct QueueReceipt: Sendable, Hashable {
    public var partition: Int
    public var offset: Int64
    public var nonce: UInt64

    public init(partition: Int, offset: Int64, nonce: UInt64) {
        self.partition = partition
        self.offset = offset
        self.nonce = nonce
    }

    /// The receipt's text.
    public var text: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(40)
        Self.appendHex(UInt64(UInt32(truncatingIfNeeded: partition)), digits: 8, to: &bytes)
        Self.appendHex(UInt64(bitPattern: offset), digits: 16, to: &bytes)
        Self.appendHex(nonce, digits: 16, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses a receipt's text; nil for anything that is not one.
    public init?(text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 40,
            let partition = Self.parseHex(utf8[0..<8]),
            let offset = Self.parseHex(utf8[8..<24]),
            let nonce = Self.parseHex(utf8[24..<40]),
            Int64(bitPattern: offset) >= 0
        else { return nil }
        self.init(partition: Int(partition), offset: Int64(bitPattern: offset), nonce: nonce)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendHex(_ value: UInt64, digits: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            bytes.append(hexDigits[Int((value >> UInt64(shift)) & 0xF)])
        }
    }

    private static func parseHex(_ digits: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for digit in digits {
            let nibble: UInt8
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = digit - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }
}

/// Random lease nonces: xoshiro256** seeded from the system's random source (no system call per lease).
/// Not thread-safe; each queue owns one, guarded by its lock.
struct LeaseNonceGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    init() {
        var system = SystemRandomNumberGenerator()
        state = (system.next(), system.next(), system.next(), system.next())
        if state == (0, 0, 0, 0) { state.0 = 1 }
    }

    mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
