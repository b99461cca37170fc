import FerryBroker
import FerryJSON
import FerryMessageJSON
import Testing

/// The fetch hot path's compact message writer must produce exactly the general writer's bytes.
struct MessageEncodingTests {
    /// Keys and values covering every escape, non-ASCII, invalid UTF-8, empty and absent.
    static let samples: [[UInt8]?] = [
        nil,
        [],
        Array("customer-7".utf8),
        Array("a \"quoted\" \\ back/slash".utf8),
        Array("tab\tnl\ncr\rbs\u{8}ff\u{c}nul\u{0}us\u{1f}del\u{7f}".utf8),
        Array("ünïcödé ✓ 𝄞".utf8),
        Array(repeating: UInt8(ascii: "v"), count: 100),
        Array(repeating: UInt8(ascii: "\""), count: 17),
        [0xff, 0xfe, 0x41],  // invalid UTF-8
        Array("0123456789abcdef\u{1}0123456789abcdef".utf8),
    ]

    static let jsonValues: [[UInt8]?] = [
        nil, Array("{\"id\":1,\"total\":9.5}".utf8), Array("[1,\"two\",null,true]".utf8), Array("\"s\\n\"".utf8),
        Array("-12e3".utf8),
    ]

    static func encode(
        key: [UInt8]?, value: [UInt8]?, format: ValueFormat, topic: String, offset: Int64, timestamp: Int64,
        compact: Bool
    ) -> (bytes: [UInt8], usedCompact: Bool) {
        func withOptional<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
            guard let bytes else { return body(nil) }
            return bytes.withUnsafeBytes { body($0) }
        }
        return withOptional(key) { keyBytes in
            withOptional(value) { valueBytes in
                var writer = JSONWriter()
                writer.beginArray()
                var usedCompact = false
                for _ in 0..<2 {  // two messages, so the separator handling is covered too
                    let message = StoredMessage(
                        offset: offset, timestamp: timestamp, key: keyBytes, value: valueBytes, valueFormat: format,
                        headers: [])
                    if compact {
                        usedCompact = MessageEncoding.writeCompact(message, topic: topic, partition: 7, into: &writer)
                        if !usedCompact {
                            MessageEncoding.writeGeneral(
                                message, topic: topic, partition: 7, base64: false, into: &writer)
                        }
                    } else {
                        MessageEncoding.writeGeneral(message, topic: topic, partition: 7, base64: false, into: &writer)
                    }
                }
                writer.endArray()
                return (writer.take(), usedCompact)
            }
        }
    }

    @Test func compactWriter_MatchesGeneralWriter_ForEveryKeyAndValueShape() {
        var compactCount = 0
        var cases = 0
        for topic in ["orders", "a.b-c_9"] {
            for (offset, timestamp) in [
                (Int64(0), Int64(0)), (9, 10), (99, 100), (101, 999), (1000, -10), (1_234_567_890, 1_764_000_000_000),
                (.max, -1), (10_000_000_000_000_000, .min),
            ] {
                for key in Self.samples {
                    for value in Self.samples {
                        let general = Self.encode(
                            key: key, value: value, format: .raw, topic: topic, offset: offset, timestamp: timestamp,
                            compact: false)
                        let compact = Self.encode(
                            key: key, value: value, format: .raw, topic: topic, offset: offset, timestamp: timestamp,
                            compact: true)
                        #expect(
                            compact.bytes == general.bytes,
                            "key \(String(describing: key)) value \(String(describing: value))")
                        if compact.usedCompact { compactCount += 1 }
                        cases += 1
                    }
                    for value in Self.jsonValues {
                        let general = Self.encode(
                            key: key, value: value, format: .json, topic: topic, offset: offset, timestamp: timestamp,
                            compact: false)
                        let compact = Self.encode(
                            key: key, value: value, format: .json, topic: topic, offset: offset, timestamp: timestamp,
                            compact: true)
                        #expect(
                            compact.bytes == general.bytes,
                            "key \(String(describing: key)) value \(String(describing: value))")
                        if compact.usedCompact { compactCount += 1 }
                        cases += 1
                    }
                }
            }
        }
        // Only invalid UTF-8 keys or raw values take the general path.
        #expect(compactCount > cases * 3 / 4)
    }

    @Test func write_UsesGeneralWriter_ForInvalidUTF8AndBase64() {
        let invalid: [UInt8] = [0xc3, 0x28]
        invalid.withUnsafeBytes { bytes in
            var writer = JSONWriter()
            let message = StoredMessage(
                offset: 1, timestamp: 2, key: nil, value: bytes, valueFormat: .raw, headers: [])
            #expect(!MessageEncoding.writeCompact(message, topic: "t", partition: 0, into: &writer))
            #expect(writer.bytes.isEmpty)
            MessageEncoding.write(message, topic: "t", partition: 0, base64: false, into: &writer)
            #expect(
                String(decoding: writer.bytes, as: UTF8.self)
                    == #"{"topic":"t","partition":0,"offset":1,"timestamp":2,"key":null,"value":null,"value_base64":"wyg=","headers":{}}"#
            )
        }
    }

    @Test func compactWriter_RefusesMessagesOverItsBound() {
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: MessageEncoding.maxCompactBytes)
        big.withUnsafeBytes { bytes in
            var writer = JSONWriter()
            let message = StoredMessage(offset: 1, timestamp: 2, key: nil, value: bytes, valueFormat: .raw, headers: [])
            #expect(!MessageEncoding.writeCompact(message, topic: "t", partition: 0, into: &writer))
            MessageEncoding.write(message, topic: "t", partition: 0, base64: false, into: &writer)
            #expect(writer.bytes.count == big.count + 87)
        }
    }
}
