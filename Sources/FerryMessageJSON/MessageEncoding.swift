import FerryBroker
import FerryJSON

/// Writes stored messages as API.md's message JSON (the fetch hot path: no allocation per message).
///
/// `{"topic","partition","offset","timestamp","key"|"key_base64","value"|"value_base64","headers"}`:
/// a JSON value comes back as the same JSON; raw bytes as a string when valid UTF-8, else `null` plus
/// `*_base64`; with `base64` set, every key and value is given as `*_base64` of the stored bytes.
package enum MessageEncoding {
    package static func write(
        _ message: borrowing StoredMessage, topic: String, partition: Int, base64: Bool, into writer: inout JSONWriter
    ) {
        if !base64 && message.headers.isEmpty
            && writeCompact(message, topic: topic, partition: partition, into: &writer)
        {
            return
        }
        writeGeneral(message, topic: topic, partition: partition, base64: base64, into: &writer)
    }

    /// The general writer: member by member through `JSONWriter` (any message; the reference output).
    package static func writeGeneral(
        _ message: borrowing StoredMessage, topic: String, partition: Int, base64: Bool, into writer: inout JSONWriter
    ) {
        writer.beginObject()
        writer.key(ascii: "topic")
        writer.string(topic)
        writer.key(ascii: "partition")
        writer.int64(Int64(partition))
        writer.key(ascii: "offset")
        writer.int64(message.offset)
        writer.key(ascii: "timestamp")
        writer.int64(message.timestamp)
        writeBytes(message.key, json: false, base64: base64, name: "key", base64Name: "key_base64", into: &writer)
        writeBytes(
            message.value, json: message.valueFormat == .json, base64: base64, name: "value",
            base64Name: "value_base64",
            into: &writer)
        writer.key(ascii: "headers")
        writer.beginObject()
        for header in message.headers {
            writer.key(String(decoding: header.name, as: UTF8.self))
            if isValidUTF8(header.value) {
                writer.string(utf8: header.value)
            } else {
                writer.string(String(decoding: header.value, as: UTF8.self))
            }
        }
        writer.endObject()
        writer.endObject()
    }

    private static func writeBytes(
        _ bytes: UnsafeRawBufferPointer?, json: Bool, base64: Bool, name: StaticString, base64Name: StaticString,
        into writer: inout JSONWriter
    ) {
        guard let bytes else {
            writer.key(ascii: name)
            writer.null()
            return
        }
        if base64 {
            writer.key(ascii: base64Name)
            writer.base64String(bytes)
        } else if json {
            writer.key(ascii: name)
            writer.rawJSON(bytes)
        } else if isValidUTF8(bytes) {
            writer.key(ascii: name)
            writer.string(utf8: bytes)
        } else {
            writer.key(ascii: name)
            writer.null()
            writer.key(ascii: base64Name)
            writer.base64String(bytes)
        }
    }
}
