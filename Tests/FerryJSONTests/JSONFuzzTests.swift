import FerryTesting
import Testing

@testable import FerryJSON

/// Seeded random tests: generated documents round-trip, and mutated bytes never trap the parsers, which all
/// agree on what they accept.
struct JSONFuzzTests {
    /// Random JSON text with random insignificant whitespace, and the compact text a writer would produce.
    struct Generated {
        var spaced: [UInt8] = []
        var compact: [UInt8] = []
    }

    static let whitespace: [UInt8] = [0x20, 0x0A, 0x0D, 0x09]
    static let stringPieces = [
        "a", "é", "€", "😀", "\"", "\\", "/", "\n", "\u{1}", "\u{1F}", " ", "long text ", "\u{0}",
    ]
    static let numbers = ["0", "-0", "1", "-17", "12345678901234567890", "1.10", "1e400", "-2.5E-3", "0.0001", "1E+2"]

    static func generate(depth: Int, into out: inout Generated, using rng: inout SeededGenerator) {
        func space() {
            for _ in 0..<Int.random(in: 0...2, using: &rng) where Bool.random(using: &rng) {
                out.spaced.append(whitespace.randomElement(using: &rng)!)
            }
        }
        func both(_ text: String) {
            out.spaced.append(contentsOf: text.utf8)
            out.compact.append(contentsOf: text.utf8)
        }
        func string() {
            var writer = JSONWriter()
            writer.string(
                (0..<Int.random(in: 0...4, using: &rng)).map { _ in stringPieces.randomElement(using: &rng)! }.joined())
            out.spaced.append(contentsOf: writer.bytes)
            out.compact.append(contentsOf: writer.bytes)
        }
        space()
        let choice = depth > 5 ? Int.random(in: 0...4, using: &rng) : Int.random(in: 0...6, using: &rng)
        switch choice {
        case 0: both("null")
        case 1: both(Bool.random(using: &rng) ? "true" : "false")
        case 2: both(numbers.randomElement(using: &rng)!)
        case 3, 4: string()
        case 5:
            both("[")
            for i in 0..<Int.random(in: 0...4, using: &rng) {
                if i > 0 { both(",") }
                generate(depth: depth + 1, into: &out, using: &rng)
            }
            space()
            both("]")
        default:
            both("{")
            for i in 0..<Int.random(in: 0...4, using: &rng) {
                if i > 0 { both(",") }
                space()
                string()
                space()
                both(":")
                generate(depth: depth + 1, into: &out, using: &rng)
            }
            space()
            both("}")
        }
        space()
    }

    @Test func generatedDocuments_RoundTripThroughEveryPath() throws {
        var rng = SeededGenerator(seed: 0x5EED)
        for _ in 0..<2_000 {
            var generated = Generated()
            Self.generate(depth: 0, into: &generated, using: &rng)
            let streamed = try compact(generated.spaced)
            #expect(streamed == generated.compact)
            let dom = try JSONValue.parse(generated.spaced)
            #expect(dom.compactBytes == generated.compact)
            #expect(try JSONValue.parse(dom.compactBytes) == dom)
            #expect(try compact(streamed) == streamed)
            try skip(generated.spaced)
        }
    }

    @Test func mutatedDocuments_NeverTrap_AndAllParsersAgree() throws {
        var rng = SeededGenerator(seed: 0xF00D)
        let alphabet =
            Array("{}[],:\"\\ -+.0123456789eEtrufalsn\u{0}\u{1F}".utf8) + [0x80, 0xC3, 0xA9, 0xED, 0xF4, 0xFF]
        var accepted = 0
        for _ in 0..<5_000 {
            var generated = Generated()
            Self.generate(depth: 0, into: &generated, using: &rng)
            var bytes = generated.spaced
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let index = Int.random(in: 0...bytes.count, using: &rng)
                switch Int.random(in: 0...2, using: &rng) {
                case 0: bytes.insert(alphabet.randomElement(using: &rng)!, at: index)
                case 1 where index < bytes.count: bytes.remove(at: index)
                default: if index < bytes.count { bytes[index] = alphabet.randomElement(using: &rng)! }
                }
            }
            let domError = error { _ = try JSONValue.parse(bytes) }
            let compactError = error { _ = try compact(bytes) }
            let skipError = error { try skip(bytes) }
            #expect(domError == compactError, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(skipError == compactError)
            if domError == nil {
                accepted += 1
                let once = try compact(bytes)
                #expect(try compact(once) == once)
                let dom = try JSONValue.parse(bytes)
                #expect(try JSONValue.parse(dom.compactBytes).compactBytes == dom.compactBytes)
                #expect(try JSONValue.parse(once) == dom)
            }
        }
        #expect(accepted > 100)  // the mutations leave a fair share of valid documents
    }

    @Test func randomBytes_NeverTrapTheParsers() {
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<5_000 {
            let bytes = (0..<Int.random(in: 0...24, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let domError = error { _ = try JSONValue.parse(bytes) }
            let compactError = error { _ = try compact(bytes) }
            #expect(domError == compactError)
        }
    }
}
