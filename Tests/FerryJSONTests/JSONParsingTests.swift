import Testing

@testable import FerryJSON

struct JSONParsingTests {
    @Test func parse_BuildsValues_WhenInputIsValid() throws {
        let value = try parse(#" { "a" : [1, -2.5e+3, true, false, null, "x\ty"], "b": {}, "c": [] } "#)
        let expected: JSONValue = [
            "a": [1, .number(try JSONNumber(validating: "-2.5e+3")), true, false, nil, "x\ty"],
            "b": .object(JSONObject()),
            "c": [],
        ]
        #expect(value == expected)
    }

    @Test(arguments: ["0", "-0", "12345678901234567890", "1.10", "1e400", "-1.5E-07", "0.0", "1E+2"])
    func parse_KeepsNumberTextExactly(text: String) throws {
        #expect(try parse(text) == .number(JSONNumber(unchecked: text)))
        #expect(try compact(text) == text)
        #expect(try parse("[\(text)]").compactString == "[\(text)]")
    }

    @Test func parse_DecodesEscapes_IncludingSurrogatePairs() throws {
        let value = try parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\uD83D\uDE00\u0000""#)
        #expect(value == .string("\"\\/\u{8}\u{C}\n\r\tAé€😀\u{0}"))
    }

    @Test func parse_AcceptsRawUTF8InStrings() throws {
        #expect(try parse("\"é€😀\"") == .string("é€😀"))
    }

    @Test func parse_KeepsDuplicateKeysInOrder_AndLastWinsOnLookup() throws {
        let value = try parse(#"{"k":1,"j":2,"k":3}"#)
        #expect(try value.object.keys == ["k", "j", "k"])
        #expect(value["k"] == 3)
        #expect(value.compactString == #"{"k":1,"j":2,"k":3}"#)
    }

    @Test(arguments: [
        ("", 0, JSONError.SyntaxReason.unexpectedEnd),
        ("   ", 3, .unexpectedEnd),
        ("[1] x", 4, .trailingData),
        ("{} {}", 3, .trailingData),
        ("01", 0, .leadingZero),
        ("-01", 1, .leadingZero),
        ("[00]", 1, .leadingZero),
        ("+1", 0, .unexpectedByte(UInt8(ascii: "+"))),
        (".5", 0, .unexpectedByte(UInt8(ascii: "."))),
        ("1.", 2, .invalidNumber),
        ("1.e5", 2, .invalidNumber),
        ("1e", 2, .invalidNumber),
        ("1e+", 3, .invalidNumber),
        ("-", 1, .invalidNumber),
        ("-a", 1, .invalidNumber),
        ("NaN", 0, .unexpectedByte(UInt8(ascii: "N"))),
        ("Infinity", 0, .unexpectedByte(UInt8(ascii: "I"))),
        ("-Infinity", 1, .invalidNumber),
        ("[1,]", 3, .trailingComma),
        ("{\"a\":1,}", 7, .trailingComma),
        ("[,1]", 1, .unexpectedByte(UInt8(ascii: ","))),
        ("[1 2]", 3, .expectedCommaOrClose),
        ("[1}", 2, .expectedCommaOrClose),
        ("{\"a\":1]", 6, .expectedCommaOrClose),
        ("{\"a\" 1}", 5, .expectedColon),
        ("{a:1}", 1, .expectedKey),
        ("{1:1}", 1, .expectedKey),
        ("{\"a\":}", 5, .unexpectedByte(UInt8(ascii: "}"))),
        ("[", 1, .unexpectedEnd),
        ("{\"a\":1", 6, .unexpectedEnd),
        ("\"abc", 4, .unexpectedEnd),
        ("tru", 3, .unexpectedEnd),
        ("trux", 0, .invalidLiteral),
        ("nul1", 0, .invalidLiteral),
        ("True", 0, .unexpectedByte(UInt8(ascii: "T"))),
        ("\"a\u{1}b\"", 2, .controlCharacter),
        ("\"a\nb\"", 2, .controlCharacter),
        ("\"\t\"", 1, .controlCharacter),
        (#""\x""#, 1, .invalidEscape),
        (#""\u12G4""#, 5, .invalidEscape),
        (#""\uD800""#, 1, .loneSurrogate),
        (#""\uD800\u0041""#, 1, .loneSurrogate),
        (#""\uDC00""#, 1, .loneSurrogate),
        (#""\uD800x""#, 1, .loneSurrogate),
        ("'a'", 0, .unexpectedByte(UInt8(ascii: "'"))),
        ("[1]\u{0}", 3, .trailingData),
    ])
    func parse_Rejects(text: String, position: Int, reason: JSONError.SyntaxReason) {
        let expected = JSONError.syntax(position: position, reason: reason)
        let bytes = Array(text.utf8)
        #expect(error { _ = try JSONValue.parse(bytes) } == expected, "DOM parser on \(text)")
        #expect(error { _ = try compact(bytes) } == expected, "compactor on \(text)")
        #expect(error { try skip(bytes) } == expected, "skipValue on \(text)")
    }

    @Test(
        arguments: [
            [0x22, 0xFF, 0x22],  // never valid
            [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
            [0x22, 0xE0, 0x80, 0xAF, 0x22],  // overlong 3-byte
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // UTF-8 encoded surrogate U+D800
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0xC3, 0x22],  // truncated sequence
            [0x22, 0x80, 0x22],  // lone continuation byte
        ] as [[UInt8]])
    func parse_RejectsInvalidUTF8InStrings(bytes: [UInt8]) {
        let expected = JSONError.syntax(position: 1, reason: .invalidUTF8)
        #expect(error { _ = try JSONValue.parse(bytes) } == expected)
        #expect(error { _ = try compact(bytes) } == expected)
    }

    @Test func parse_AcceptsNestingUpToMaxDepth_AndRejectsOneMore() throws {
        let limit = JSONReader.defaultMaxDepth
        let ok = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        let tooDeep = "[" + ok + "]"
        #expect(throws: Never.self) { _ = try parse(ok) }
        #expect(try compact(ok) == ok)
        let expected = JSONError.syntax(position: limit, reason: .nestingTooDeep(limit: limit))
        #expect(error { _ = try parse(tooDeep) } == expected)
        #expect(error { _ = try compact(Array(tooDeep.utf8)) } == expected)
        #expect(error { try skip(Array(tooDeep.utf8)) } == expected)
    }

    @Test func parse_RejectsHostileDepth_WithoutExhaustingTheStack() {
        let hostile = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        let objects = Array(String(repeating: "{\"a\":", count: 100_000).utf8)
        #expect(
            error { _ = try JSONValue.parse(hostile) } == .syntax(position: 512, reason: .nestingTooDeep(limit: 512)))
        #expect(
            error { try skip(hostile, maxDepth: 2_000_000) } == .syntax(position: 1_000_000, reason: .unexpectedEnd))
        #expect(
            error { _ = try JSONValue.parse(objects, maxDepth: 200_000) }
                == .syntax(position: objects.count, reason: .unexpectedEnd))
    }

    @Test func parse_CountsDepthOfEnclosingReadObjectCalls() throws {
        let text = #"{"a":[[1]]}"#
        let caught = error {
            try Array(text.utf8).withUnsafeBytes { raw in
                var reader = JSONReader(raw, maxDepth: 2)
                try reader.readObject { _, reader in try reader.skipValue() }
            }
        }
        #expect(caught == .syntax(position: 6, reason: .nestingTooDeep(limit: 2)))
    }

    @Test func numberValidating_RejectsNonNumbers() {
        for text in ["", "-", "01", "1.", "1 ", " 1", "1e", "0x1", "abc"] {
            #expect(throws: JSONError.self, "\(text)") { _ = try JSONNumber(validating: text) }
        }
        #expect(throws: Never.self) { _ = try JSONNumber(validating: "-0.5e-3") }
    }

    @Test func errorDescriptions_NamePositionAndReason() {
        #expect(
            JSONError.syntax(position: 7, reason: .trailingComma).description
                == "invalid JSON at byte 7: trailing comma")
        #expect(JSONError.syntax(position: 0, reason: .unexpectedByte(0x01)).description.contains("0x01"))
        #expect(JSONError.missingMember("records").description == "missing member \"records\"")
    }
}
