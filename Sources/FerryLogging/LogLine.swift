import FerryJSON
import Logging

/// Formats one log record as one line (newline-terminated) in a ``LogFormat``. Pure; thread-safe.
///
/// Fields, in order: `ts` (RFC 3339 UTC, milliseconds), `level`, `logger` (the label), `msg`, then the
/// metadata sorted by key. A metadata key equal to one of those four gets a leading `_`. Nested metadata
/// (arrays, dictionaries) becomes JSON text in logfmt and nested JSON in json. No record can produce more
/// than one line: every newline and control character inside a value is escaped.
public enum LogLine {
    /// The fixed leading fields.
    static let reservedKeys: Set<String> = ["ts", "level", "logger", "msg"]

    /// Formats a record.
    public static func format(
        _ format: LogFormat, timestamp: String, level: Logger.Level, label: String, message: String,
        metadata: Logger.Metadata
    ) -> [UInt8] {
        let fields = metadata.map { (key: reservedKeys.contains($0.key) ? "_" + $0.key : $0.key, value: $0.value) }
            .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        switch format {
        case .logfmt:
            var line: [UInt8] = []
            line.reserveCapacity(128 + message.utf8.count)
            appendLogfmt(key: "ts", value: timestamp, to: &line)
            appendLogfmt(key: "level", value: level.rawValue, to: &line)
            appendLogfmt(key: "logger", value: label, to: &line)
            appendLogfmt(key: "msg", value: message, to: &line)
            for field in fields { appendLogfmt(key: field.key, value: logfmtText(field.value), to: &line) }
            line.append(0x0A)
            return line
        case .json:
            var writer = JSONWriter(capacity: 160 + message.utf8.count)
            writer.beginObject()
            writer.key(ascii: "ts")
            writer.string(timestamp)
            writer.key(ascii: "level")
            writer.string(level.rawValue)
            writer.key(ascii: "logger")
            writer.string(label)
            writer.key(ascii: "msg")
            writer.string(message)
            for field in fields {
                writer.key(field.key)
                writeJSON(field.value, into: &writer)
            }
            writer.endObject()
            var line = writer.take()
            line.append(0x0A)
            return line
        }
    }

    // MARK: logfmt

    /// Appends ` key=value` (no leading space for the first pair), quoting the value when needed.
    static func appendLogfmt(key: String, value: String, to line: inout [UInt8]) {
        if !line.isEmpty { line.append(0x20) }
        var wroteKey = false
        for byte in key.utf8 {
            // Keys are bare words: anything that would need quoting becomes `_`.
            let bare = byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "=") && byte != UInt8(ascii: "\"")
            line.append(bare ? byte : UInt8(ascii: "_"))
            wroteKey = true
        }
        if !wroteKey { line.append(UInt8(ascii: "_")) }
        line.append(UInt8(ascii: "="))
        appendLogfmtValue(value, to: &line)
    }

    /// A value bare when it is non-empty and has no space, `=`, `"`, `\` or control character; else quoted
    /// with `\"`, `\\`, `\n`, `\r`, `\t` and `\u00XX` escapes (U+0085, U+2028 and U+2029, which some tools
    /// treat as line breaks, as `\u0085`, `\u2028`, `\u2029`). Other non-ASCII text is kept as UTF-8.
    static func appendLogfmtValue(_ value: String, to line: inout [UInt8]) {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains { scalar in
                scalar.value <= 0x20 || scalar.value == 0x7F || scalar == "=" || scalar == "\"" || scalar == "\\"
                    || isLineBreakLike(scalar)
            }
        guard needsQuotes else {
            line.append(contentsOf: value.utf8)
            return
        }
        line.append(UInt8(ascii: "\""))
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": line.append(contentsOf: #"\""#.utf8)
            case "\\": line.append(contentsOf: #"\\"#.utf8)
            case "\n": line.append(contentsOf: #"\n"#.utf8)
            case "\r": line.append(contentsOf: #"\r"#.utf8)
            case "\t": line.append(contentsOf: #"\t"#.utf8)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || isLineBreakLike(scalar) {
                    line.append(contentsOf: unicodeEscape(scalar.value).utf8)
                } else {
                    line.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    static func isLineBreakLike(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x85 || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// The text of a metadata value: strings as they are, nested values as compact JSON.
    static func logfmtText(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array, .dictionary:
            var writer = JSONWriter(capacity: 64)
            writeJSON(value, into: &writer)
            return String(decoding: writer.take(), as: UTF8.self)
        }
    }

    // MARK: JSON

    static func writeJSON(_ value: Logger.MetadataValue, into writer: inout JSONWriter) {
        switch value {
        case .string(let string):
            writer.string(string)
        case .stringConvertible(let convertible):
            writer.string(convertible.description)
        case .array(let items):
            writer.beginArray()
            for item in items { writeJSON(item, into: &writer) }
            writer.endArray()
        case .dictionary(let members):
            writer.beginObject()
            for (key, value) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                writer.key(key)
                writeJSON(value, into: &writer)
            }
            writer.endObject()
        }
    }
}
