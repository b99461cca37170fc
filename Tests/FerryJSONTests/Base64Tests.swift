import FerryTesting
import Testing

@testable import FerryJSON

struct Base64Tests {
    /// RFC 4648 §10 test vectors.
    static let vectors = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: vectors)
    func encodeAndDecode_MatchRFC4648Vectors(plain: String, encoded: String) throws {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test func encode_RoundTripsEveryLength_AcrossChunkBoundaries() throws {
        var generator = SeededGenerator(seed: 42)
        for length in [0, 1, 2, 3, 4, 767, 768, 769, 770, 1000, 3000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64.encode(bytes)
            #expect(encoded.utf8.count == Base64.encodedCount(length))
            #expect(try Base64.decode(encoded) == bytes, "length \(length)")
        }
        #expect(Base64.encode([0xFB, 0xFF, 0xBF]) == "+/+/")
    }

    @Test(arguments: [
        ("Zg=", JSONError.invalidBase64(position: 3, reason: .invalidLength)),
        ("Zm9v YmFy", .invalidBase64(position: 9, reason: .invalidLength)),
        ("Zm9vYmF\n", .invalidBase64(position: 7, reason: .invalidCharacter(0x0A))),
        ("Zm9-", .invalidBase64(position: 3, reason: .invalidCharacter(UInt8(ascii: "-")))),
        ("Zm_v", .invalidBase64(position: 2, reason: .invalidCharacter(UInt8(ascii: "_")))),
        ("Zg==Zg==", .invalidBase64(position: 2, reason: .invalidPadding)),
        ("Z===", .invalidBase64(position: 1, reason: .invalidPadding)),
        ("====", .invalidBase64(position: 0, reason: .invalidPadding)),
        ("Zh==", .invalidBase64(position: 1, reason: .invalidPadding)),
        ("Zm9=", .invalidBase64(position: 2, reason: .invalidPadding)),
        ("Z=9v", .invalidBase64(position: 1, reason: .invalidPadding)),
    ])
    func decode_Rejects(text: String, expected: JSONError) {
        #expect(error { _ = try Base64.decode(text) } == expected)
    }
}

struct UTF8ValidationTests {
    @Test func isValidUTF8_AcceptsWellFormedText() {
        #expect(isValidUTF8([UInt8]()))
        #expect(isValidUTF8(Array("plain ascii long enough for the word loop".utf8)))
        #expect(isValidUTF8(Array("é€😀\u{10FFFF}\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}".utf8)))
        #expect(isValidUTF8([0xEF, 0xBF, 0xBD]))
    }

    @Test(
        arguments: [
            [0xFF], [0x80], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80],
            [0xF0, 0x8F, 0xBF, 0xBF],
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82],
            [0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0xC3],
            [0xC3, 0x28],
        ] as [[UInt8]])
    func isValidUTF8_RejectsMalformedBytes(bytes: [UInt8]) {
        #expect(!isValidUTF8(bytes))
        #expect(!isValidUTF8(Array("padding before it: ".utf8) + bytes))
    }

    @Test func isValidUTF8_AgreesWithTheStandardLibrary_OnRandomBytes() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...12, using: &generator)
            let bytes = (0..<length).map { _ in
                UInt8.random(in: 0...3, using: &generator) == 0
                    ? UInt8.random(in: 0x20...0x7F, using: &generator)
                    : UInt8.random(in: 0x80...0xF5, using: &generator)
            }
            let standard = String(validating: bytes, as: UTF8.self) != nil
            #expect(isValidUTF8(bytes) == standard, "\(bytes)")
        }
    }
}
