import Testing

@testable import FerryJSON

struct JSONWriterTests {
    @Test func writer_WritesSeparatorsAutomatically() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("a")
        writer.int64(1)
        writer.key(ascii: "b")
        writer.beginArray()
        writer.null()
        writer.bool(true)
        writer.bool(false)
        writer.string("s")
        writer.beginObject()
        writer.endObject()
        writer.beginArray()
        writer.endArray()
        writer.endArray()
        writer.key("c")
        writer.rawJSON(Array(#"{"x":1.10}"#.utf8))
        writer.endObject()
        #expect(
            String(decoding: writer.bytes, as: UTF8.self) == #"{"a":1,"b":[null,true,false,"s",{},[]],"c":{"x":1.10}}"#)
    }

    /// Framing goes between values unchanged, and each value after it starts without a separator: the shape of
    /// a Server-Sent Events stream carrying one JSON object per event.
    @Test func framing_GoesBetweenValues_WithoutSeparators() {
        var writer = JSONWriter()
        for offset in [Int64(0), -3, 42] {
            writer.framing("id: ")
            writer.framing(decimal: offset)
            writer.framing("\ndata: ")
            writer.beginObject()
            writer.key(ascii: "o")
            writer.int64(offset)
            writer.endObject()
            writer.framing("\n\n")
        }
        writer.int64(7)
        writer.framing("\n")  // a one-character literal
        #expect(
            String(decoding: writer.bytes, as: UTF8.self)
                == "id: 0\ndata: {\"o\":0}\n\nid: -3\ndata: {\"o\":-3}\n\nid: 42\ndata: {\"o\":42}\n\n7\n")
    }

    @Test func string_EscapesEveryControlCharacter_QuoteAndBackslash_Only() throws {
        var writer = JSONWriter()
        let controls = String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) })
        writer.string(controls + "\"\\/é😀\u{7F}")
        let text = String(decoding: writer.bytes, as: UTF8.self)
        let short: [Int: String] = [8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"]
        let expectedControls = (0..<0x20).map { code in
            short[code] ?? "\\u00" + (code < 16 ? "0" : "") + String(code, radix: 16)
        }.joined()
        #expect(text == "\"" + expectedControls + "\\\"\\\\/é😀\u{7F}\"")
        #expect(try parse(text) == .string(controls + "\"\\/é😀\u{7F}"))
    }

    @Test func string_CopiesLongRunsAroundEscapes() {
        var writer = JSONWriter()
        let long = String(repeating: "abcdefgh", count: 9) + "\"" + String(repeating: "é", count: 9) + "\n"
        writer.string(long)
        #expect(
            String(decoding: writer.bytes, as: UTF8.self) == "\"" + String(repeating: "abcdefgh", count: 9) + "\\\""
                + String(repeating: "é", count: 9) + "\\n\"")
    }

    @Test(arguments: [Int64.min, -1_000_000_007, -10, -9, -1, 0, 1, 9, 10, 99, 100, 1_764_000_000_000, Int64.max])
    func int64_WritesDecimal(value: Int64) {
        var writer = JSONWriter()
        writer.int64(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
    }

    @Test func base64String_And_StringUTF8_WriteQuotedStrings() {
        var writer = JSONWriter()
        writer.beginArray()
        ([0xFF, 0x00, 0x10] as [UInt8]).withUnsafeBytes { writer.base64String($0) }
        Array("a\"b".utf8).withUnsafeBytes { writer.string(utf8: $0) }
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"["/wAQ","a\"b"]"#)
    }

    @Test func reset_And_Take_LeaveAnEmptyWriter() {
        var writer = JSONWriter(capacity: 64)
        writer.int64(1)
        writer.reset()
        writer.int64(2)
        #expect(writer.take() == Array("2".utf8))
        writer.int64(3)
        #expect(writer.bytes == Array("3".utf8))
    }

    @Test func value_WritesDOMCompactly() throws {
        let value: JSONValue = ["a": [1, "x\n", nil, true], "b": .number(try JSONNumber(validating: "1e400"))]
        #expect(value.compactString == #"{"a":[1,"x\n",null,true],"b":1e400}"#)
    }
}
