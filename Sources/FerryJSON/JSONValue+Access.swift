/// Typed accessors that throw precise ``JSONError``s, for validating request bodies.
///
/// Example: `let n = try body.member("partitions").int64` throws `.missingMember("partitions")` or
/// `.typeMismatch(expected: .number, found: .string, position: nil)` or `.notAnInteger("1.5", …)`.
extension JSONValue {
    /// The member `key` of an object (last one wins for duplicate keys); nil if missing or not an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The element at `index` of an array; nil if out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    /// The member `key` of an object.
    /// - Throws: `.typeMismatch` if this is not an object, `.missingMember(key)` if absent.
    public func member(_ key: String) throws -> JSONValue {
        guard let value = try object[key] else { throw JSONError.missingMember(key) }
        return value
    }

    /// True for `null`.
    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The boolean. - Throws: `.typeMismatch` unless this is `true`/`false`.
    public var bool: Bool {
        get throws {
            if case .bool(let value) = self { return value }
            throw mismatch(.bool)
        }
    }

    /// The string (escapes decoded). - Throws: `.typeMismatch` unless this is a string.
    public var string: String {
        get throws {
            if case .string(let value) = self { return value }
            throw mismatch(.string)
        }
    }

    /// The number. - Throws: `.typeMismatch` unless this is a number.
    public var number: JSONNumber {
        get throws {
            if case .number(let value) = self { return value }
            throw mismatch(.number)
        }
    }

    /// The number as `Int64`: integer text only (no fraction, no exponent), in range.
    /// - Throws: `.typeMismatch`, `.notAnInteger`, `.integerOutOfRange`.
    public var int64: Int64 { get throws { try number.int64 } }

    /// The elements. - Throws: `.typeMismatch` unless this is an array.
    public var array: [JSONValue] {
        get throws {
            if case .array(let value) = self { return value }
            throw mismatch(.array)
        }
    }

    /// The object. - Throws: `.typeMismatch` unless this is an object.
    public var object: JSONObject {
        get throws {
            if case .object(let value) = self { return value }
            throw mismatch(.object)
        }
    }

    private func mismatch(_ expected: JSONKind) -> JSONError {
        .typeMismatch(expected: expected, found: kind, position: nil)
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .number(JSONNumber(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Members in literal order (a dictionary literal may repeat keys; all are kept, last wins on lookup).
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(pairs: elements)) }
}
