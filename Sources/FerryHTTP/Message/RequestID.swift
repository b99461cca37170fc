import Synchronization

/// A request id: the client's, or a generated one that is formatted only when someone asks for it.
///
/// Generated ids are `<prefix>-<counter in hex>`, where the prefix is random per loop and process start, so
/// ids are unique per run without a shared counter on the hot path.
enum RequestID: Sendable {
    case echoed(String)
    case generated(prefix: String, counter: UInt64)

    var string: String {
        switch self {
        case .echoed(let s): s
        case .generated(let prefix, let counter): prefix + "-" + String(counter, radix: 16)
        }
    }

    /// Writes the id's bytes to `out` without building a String for generated ids.
    func append(to out: inout [UInt8]) {
        switch self {
        case .echoed(let s): out.append(contentsOf: s.utf8)
        case .generated(let prefix, let counter):
            out.append(contentsOf: prefix.utf8)
            out.append(UInt8(ascii: "-"))
            let digitCount = max(1, (64 - counter.leadingZeroBitCount + 3) / 4)
            for i in stride(from: digitCount - 1, through: 0, by: -1) {
                out.append(hexDigit(counter >> UInt64(i * 4)))
            }
        }
    }

    /// True for 1…200 visible ASCII characters (what we are willing to echo into a header).
    static func isAcceptable(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= 200 else { return false }
        return utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// A random 8-hex-digit prefix for one loop.
    static func makePrefix() -> String {
        var g = SystemRandomNumberGenerator()
        let value = UInt32.random(in: 0...UInt32.max, using: &g)
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }

    private static let standaloneCounter = Atomic<UInt64>(0)
    private static let standalonePrefix = "t" + makePrefix()

    /// An id for requests built outside the server (tests).
    static func generateStandalone() -> RequestID {
        .generated(prefix: standalonePrefix, counter: standaloneCounter.add(1, ordering: .relaxed).newValue)
    }
}
