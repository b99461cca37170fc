/// A parsed JSON value (a small DOM) that keeps numbers exactly as written and object members in order.
///
/// Built by ``JSONValue/parse(_:maxDepth:)-(UnsafeRawBufferPointer,_)`` or ``JSONReader/readValue()``, or by
/// hand. Serialize it with ``compactBytes`` or ``JSONWriter/value(_:)``. Immutable value type; `Sendable`.
///
/// Strings hold the decoded text (escapes resolved); serializing re-escapes them canonically (see
/// ``JSONWriter``), so `compact(parse(x))` may spell escapes differently from `x` but is a fixed point:
/// compacting its own output returns the same bytes. ``JSONReader/readCompactValue(into:)`` instead keeps
/// strings exactly as the client wrote them.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number, as its exact RFC 8259 text (`12345678901234567890`, `1.10`, `1e400` stay as they are).
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The kind of this value.
    public var kind: JSONKind {
        switch self {
        case .null: .null
        case .bool: .bool
        case .number: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }

    /// Parses one complete JSON text (surrounding whitespace allowed, nothing else).
    ///
    /// - Throws: ``JSONError/syntax(position:reason:)`` for malformed input, including nesting deeper than
    ///   `maxDepth` arrays/objects.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = JSONReader.defaultMaxDepth) throws
        -> JSONValue
    {
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        let value = try reader.readValue()
        try reader.finish()
        return value
    }

    /// Parses one complete JSON text from a byte array. See ``parse(_:maxDepth:)-(UnsafeRawBufferPointer,_)``.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = JSONReader.defaultMaxDepth) throws -> JSONValue {
        try bytes.withUnsafeBytes { try parse($0, maxDepth: maxDepth) }
    }

    /// Parses one complete JSON text from a string's UTF-8.
    public static func parse(_ text: String, maxDepth: Int = JSONReader.defaultMaxDepth) throws -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// The compact UTF-8 JSON text of this value (no insignificant whitespace).
    public var compactBytes: [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.bytes
    }

    /// The compact JSON text as a `String`.
    public var compactString: String { String(decoding: compactBytes, as: UTF8.self) }
}

/// The exact text of a JSON number, validated against the RFC 8259 number grammar.
///
/// No conversion happens unless asked for (``int64``, ``double``), so arbitrary precision survives a round trip.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number exactly as written, e.g. `-0.50e+10`.
    public let text: String

    /// Wraps text that the reader already validated.
    init(unchecked text: String) { self.text = text }

    /// The number with the decimal text of `value`.
    public init(_ value: Int64) { self.text = String(value) }

    /// Validates `text` against the JSON number grammar.
    /// - Throws: ``JSONError/syntax(position:reason:)`` if `text` is not exactly one JSON number.
    public init(validating text: String) throws {
        let bytes = Array(text.utf8)
        try bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            guard reader.peekByte().map({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) }) == true else {
                throw JSONError.syntax(position: 0, reason: .invalidNumber)
            }
            _ = try reader.scanNumber()
            guard reader.position == raw.count else {
                throw JSONError.syntax(position: reader.position, reason: .invalidNumber)
            }
        }
        self.text = text
    }

    /// True when the text has no fraction and no exponent.
    public var isInteger: Bool { !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") } }

    /// The value as `Int64`, only for integer text in range.
    /// - Throws: ``JSONError/notAnInteger(_:position:)`` for a fraction or exponent,
    ///   ``JSONError/integerOutOfRange(_:position:)`` outside `Int64`.
    public var int64: Int64 {
        get throws {
            guard isInteger else { throw JSONError.notAnInteger(text, position: nil) }
            guard let value = Int64(text) else { throw JSONError.integerOutOfRange(text, position: nil) }
            return value
        }
    }

    /// The nearest `Double` (may lose precision; `1e400` becomes infinity).
    public var double: Double { Double(text) ?? .nan }

    public var description: String { text }
}
