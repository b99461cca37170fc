/// Writes compact UTF-8 JSON directly into a reusable byte buffer.
///
/// Separators are automatic: call `beginObject()`, then `key(_:)` + one value per member, `endObject()`; arrays
/// likewise without keys. Strings are escaped per RFC 8259 (`\"`, `\\`, `\b \f \n \r \t`, other control
/// characters as `\u00XX`); `/` and non-ASCII are written as is. The writer does not check structure (a value
/// without a key inside an object is the caller's bug): it is built for the fetch path, which writes thousands
/// of messages per response.
///
/// Not thread-safe (a value type; use one per response). Reuse: ``reset()`` keeps the buffer's capacity.
public struct JSONWriter: Sendable {
    /// The JSON text written so far.
    public internal(set) var bytes: [UInt8]
    /// True when the next value or key needs a `,` first.
    private var needsComma = false

    /// A writer with an empty buffer of at least `capacity` bytes.
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// A writer that appends to `buffer` (its bytes are kept; the next value gets no leading comma).
    public init(appendingTo buffer: [UInt8]) {
        bytes = buffer
    }

    /// Empties the buffer, keeping its capacity, and forgets separator state.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    /// Returns the written bytes and leaves the writer empty (without capacity).
    public mutating func take() -> [UInt8] {
        needsComma = false
        var taken: [UInt8] = []
        swap(&taken, &bytes)
        return taken
    }

    @inline(__always)
    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    // MARK: Containers

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes a member key (escaped) and `:`; the next call must write its value.
    public mutating func key(_ key: String) {
        separate()
        appendEscapedString(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Writes a member key that is known to need no escaping (ASCII, no `"`, `\` or control characters),
    /// avoiding the escape scan. Checked with `assert` in debug builds.
    public mutating func key(ascii key: StaticString) {
        separate()
        let start = key.utf8Start
        let count = key.utf8CodeUnitCount
        assert(
            (0..<count).allSatisfy { start[$0] >= 0x20 && start[$0] < 0x80 && start[$0] != 0x22 && start[$0] != 0x5C })
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: start, count: count))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: Scalars

    public mutating func null() {
        separate()
        bytes.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
    }

    public mutating func bool(_ value: Bool) {
        separate()
        if value {
            bytes.append(contentsOf: [UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "u"), UInt8(ascii: "e")])
        } else {
            bytes.append(contentsOf: [
                UInt8(ascii: "f"), UInt8(ascii: "a"), UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "e"),
            ])
        }
    }

    /// Writes a decimal integer.
    public mutating func int64(_ value: Int64) {
        separate()
        appendDecimal(value)
    }

    /// Writes a number exactly as its text.
    public mutating func number(_ value: JSONNumber) {
        separate()
        bytes.append(contentsOf: value.text.utf8)
    }

    /// Writes a string, escaped.
    public mutating func string(_ value: String) {
        separate()
        appendEscapedString(value)
    }

    /// Writes UTF-8 bytes as a JSON string, escaped. `utf8` must be valid UTF-8 (check with `isValidUTF8`;
    /// invalid bytes would be copied into the output as they are, making it invalid JSON).
    public mutating func string(utf8: UnsafeRawBufferPointer) {
        separate()
        appendEscaped(utf8)
    }

    /// Writes bytes as a JSON string holding their standard base64 encoding (needs no escaping).
    public mutating func base64String(_ raw: UnsafeRawBufferPointer) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        Base64.encode(raw, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes already-serialized JSON as one value, unchanged (e.g. a stored compact message value).
    /// `json` must be exactly one valid JSON value; it is not checked.
    public mutating func rawJSON(_ json: UnsafeRawBufferPointer) {
        separate()
        bytes.append(contentsOf: json)
    }

    /// Writes already-serialized JSON as one value. See ``rawJSON(_:)-(UnsafeRawBufferPointer)``.
    public mutating func rawJSON(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
    }

    // MARK: Framing

    /// Appends `text` between JSON values, unchanged and without a separator: the framing of a format that
    /// carries JSON (a Server-Sent Events field such as `data: `). The next value starts afresh (no leading
    /// comma). `text` must not split a value the writer is in the middle of.
    public mutating func framing(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
        needsComma = false
    }

    /// Appends the decimal digits of `value` as framing (see ``framing(_:)``), e.g. an event id.
    public mutating func framing(decimal value: Int64) {
        appendDecimal(value)
        needsComma = false
    }

    /// Writes a ``JSONValue`` (compact; strings escaped canonically, numbers as their exact text).
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let number): self.number(number)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }
}
