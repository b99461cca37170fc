import Testing

@testable import FerryJSON

struct JSONReaderTests {
    static let produceBody = #"""
        {"records": [
          {"key": "k1", "value": {"id": 1, "total": 9.50, "big": 12345678901234567890}, "headers": {"h": "v"}},
          {"key": null, "value": "caf\u00e9 \"x\"", "partition": 2},
          {"value_base64": "AAEC/w=="}
        ], "extra": [1, {"nested": true}]}
        """#

    @Test func readObject_WalksProduceBody_WithExactCompactValues() throws {
        var keys: [String?] = []
        var values: [String] = []
        var partitions: [Int64] = []
        var binary: [UInt8] = []
        var headers: [(String, String)] = []
        try withReader(Self.produceBody) { reader in
            try reader.readObject { key, reader in
                guard key == "records" else { return }  // "extra" is skipped (validated) automatically
                try reader.readArray { _, reader in
                    try reader.readObject { field, reader in
                        switch field {
                        case "key": keys.append(try reader.readNullIfPresent() ? nil : try reader.readString())
                        case "value": values.append(String(decoding: try reader.readCompactValue(), as: UTF8.self))
                        case "value_base64": binary = try reader.readBase64()
                        case "partition": partitions.append(try reader.readInt64())
                        case "headers":
                            try reader.readObject { name, reader in headers.append((name, try reader.readString())) }
                        default: try reader.skipValue()
                        }
                    }
                }
            }
            try reader.finish()
        }
        #expect(keys == ["k1", nil])
        #expect(values == [#"{"id":1,"total":9.50,"big":12345678901234567890}"#, #""caf\u00e9 \"x\"""#])
        #expect(partitions == [2])
        #expect(binary == [0, 1, 2, 255])
        #expect(headers.map(\.0) == ["h"] && headers.map(\.1) == ["v"])
    }

    @Test func readObject_SkipsUnreadValues_AndStillValidatesThem() {
        let caught = error {
            try withReader(#"{"a": [1, 2,], "b": 1}"#) { reader in try reader.readObject { _, _ in } }
        }
        #expect(caught == .syntax(position: 12, reason: .trailingComma))
    }

    @Test func readString_ThrowsTypeMismatch_WithPosition_WithoutConsuming() throws {
        try withReader(#"  [42]"#) { reader in
            try reader.readArray { _, reader in
                #expect(
                    error { _ = try reader.readString() }
                        == .typeMismatch(expected: .string, found: .number, position: 3))
                let number = try reader.readInt64()
                #expect(number == 42)
            }
        }
    }

    @Test(arguments: [
        ("0", Int64(0)), ("-0", 0), ("9223372036854775807", .max), ("-9223372036854775808", .min), ("17", 17),
    ])
    func readInt64_ReadsIntegerText(text: String, expected: Int64) throws {
        #expect(try withReader(text) { try $0.readInt64() } == expected)
        #expect(try parse(text).int64 == expected)
    }

    @Test(arguments: [
        ("1.0", JSONError.notAnInteger("1.0", position: 0)),
        ("1e3", .notAnInteger("1e3", position: 0)),
        ("99999999999999999999.5", .notAnInteger("99999999999999999999.5", position: 0)),
        ("9223372036854775808", .integerOutOfRange("9223372036854775808", position: 0)),
        ("-9223372036854775809", .integerOutOfRange("-9223372036854775809", position: 0)),
        ("123456789012345678901234567890", .integerOutOfRange("123456789012345678901234567890", position: 0)),
        ("\"1\"", .typeMismatch(expected: .number, found: .string, position: 0)),
    ])
    func readInt64_Rejects(text: String, expected: JSONError) {
        #expect(error { _ = try withReader(text) { try $0.readInt64() } } == expected)
    }

    @Test func typedReads_ReadEveryKind() throws {
        try withReader(#"[true, false, null, "s", 1.5e3, {"k": []}]"#) { reader in
            try reader.readArray { index, reader in
                switch index {
                case 0: #expect(try reader.readBool() == true)
                case 1: #expect(try reader.readBool() == false)
                case 2: try reader.readNull()
                case 3: #expect(try reader.peekKind() == .string && reader.readString() == "s")
                case 4: #expect(try reader.readNumber().text == "1.5e3")
                default: #expect(try reader.readValue() == ["k": []])
                }
            }
            let atEnd = reader.isAtEnd
            #expect(atEnd)
        }
    }

    @Test func readString_AppendingUTF8_DecodesEscapes() throws {
        var out: [UInt8] = [0x41]
        try withReader(#""\n\u00e9""#) { try $0.readString(appendingUTF8To: &out) }
        #expect(out == [0x41, 0x0A, 0xC3, 0xA9])
    }

    @Test func readCompactValue_RemovesOnlyInsignificantWhitespace() throws {
        let text = " {\n\t\"a b\" : [ 1 , \"x \\n y\" , { } , [ ] ] ,\r\n \"c\":null }  "
        #expect(try compact(text) == #"{"a b":[1,"x \n y",{},[]],"c":null}"#)
    }

    @Test func readCompactValue_AppendsToExistingBuffer_AndKeepsItOnError() throws {
        var out = Array("prefix:".utf8)
        try withReader(#"[1, 2]"#) { try $0.readCompactValue(into: &out) }
        #expect(String(decoding: out, as: UTF8.self) == "prefix:[1,2]")
        let before = out.count
        _ = error { try withReader(#"[1, 2"#) { try $0.readCompactValue(into: &out) } }
        #expect(Array(out[..<before]) == Array("prefix:[1,2]".utf8))
    }

    @Test func valueAccessors_ThrowPreciseErrors() throws {
        let value = try parse(#"{"partitions": "3", "n": 1.5, "list": [1]}"#)
        #expect(error { _ = try value.member("missing") } == .missingMember("missing"))
        #expect(
            error { _ = try value.member("partitions").int64 }
                == .typeMismatch(expected: .number, found: .string, position: nil))
        #expect(error { _ = try value.member("n").int64 } == .notAnInteger("1.5", position: nil))
        #expect(
            error { _ = try value.member("list").object }
                == .typeMismatch(expected: .object, found: .array, position: nil))
        #expect(value["list"]?[0] == 1)
        #expect(value["list"]?[1] == nil)
        #expect(try value.member("partitions").string == "3")
        #expect(try value.member("n").number.double == 1.5)
    }
}

struct JSONReaderDocumentTests {
    @Test func read_RunsBodyAndRejectsTrailingData() throws {
        #expect(try JSONReader.read(Array(" [1] ".utf8)) { try $0.readCompactValue() } == Array("[1]".utf8))
        let caught = error { _ = try JSONReader.read(Array("[1] [2]".utf8)) { try $0.readCompactValue() } }
        #expect(caught == .syntax(position: 4, reason: .trailingData))
    }
}
