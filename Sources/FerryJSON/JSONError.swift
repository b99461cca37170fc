/// Every error FerryJSON throws: malformed JSON text, a value of the wrong kind, a missing member, an integer
/// that does not fit, or malformed base64.
///
/// Positions are 0-based byte offsets into the input the reader or decoder was given. Errors raised while
/// accessing an already-parsed ``JSONValue`` have no position (`nil`).
public enum JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input is not valid RFC 8259 JSON text: what went wrong, at which byte.
    case syntax(position: Int, reason: SyntaxReason)
    /// A value is not of the expected kind (e.g. a string where an object was required).
    case typeMismatch(expected: JSONKind, found: JSONKind, position: Int?)
    /// An object has no member with this key.
    case missingMember(String)
    /// An array has no element at this index.
    case indexOutOfRange(Int)
    /// A number is not integer text (it has a fraction or an exponent): its text.
    case notAnInteger(String, position: Int?)
    /// An integer does not fit the requested type: its text.
    case integerOutOfRange(String, position: Int?)
    /// Base64 text is malformed: the byte offset in the base64 text and the reason.
    case invalidBase64(position: Int, reason: Base64Reason)

    /// Why JSON text was rejected.
    public enum SyntaxReason: Equatable, Sendable, CustomStringConvertible {
        /// The input ended inside a value (or was empty).
        case unexpectedEnd
        /// This byte cannot start or continue a value here.
        case unexpectedByte(UInt8)
        /// A complete value was followed by something other than whitespace.
        case trailingData
        /// A string contains bytes that are not well-formed UTF-8.
        case invalidUTF8
        /// A `\u` escape is an unpaired UTF-16 surrogate (`\uD800` without a following `\uDC00`, or the reverse).
        case loneSurrogate
        /// A string contains a raw control character (U+0000…U+001F) instead of an escape.
        case controlCharacter
        /// An escape sequence other than `\" \\ \/ \b \f \n \r \t \uXXXX`.
        case invalidEscape
        /// A number starts with `0` followed by more digits (`012`).
        case leadingZero
        /// A number is malformed (`-`, `1.`, `.5`, `1e`, `+1`).
        case invalidNumber
        /// `true`, `false` or `null` misspelled.
        case invalidLiteral
        /// A `,` directly before `]` or `}`.
        case trailingComma
        /// An object member without its `:`.
        case expectedColon
        /// An object key that is not a string.
        case expectedKey
        /// After an element or member, neither `,` nor the closing bracket.
        case expectedCommaOrClose
        /// More nested arrays/objects than the reader's `maxDepth`.
        case nestingTooDeep(limit: Int)

        public var description: String {
            switch self {
            case .unexpectedEnd: "unexpected end of input"
            case .unexpectedByte(let byte): "unexpected \(JSONError.describe(byte: byte))"
            case .trailingData: "unexpected data after the JSON value"
            case .invalidUTF8: "invalid UTF-8 in string"
            case .loneSurrogate: "unpaired UTF-16 surrogate in \\u escape"
            case .controlCharacter: "unescaped control character in string"
            case .invalidEscape: "invalid escape sequence in string"
            case .leadingZero: "number with a leading zero"
            case .invalidNumber: "malformed number"
            case .invalidLiteral: "invalid literal (expected true, false or null)"
            case .trailingComma: "trailing comma"
            case .expectedColon: "expected ':' after object key"
            case .expectedKey: "expected a string as object key"
            case .expectedCommaOrClose: "expected ',' or a closing bracket"
            case .nestingTooDeep(let limit): "nesting deeper than \(limit) levels"
            }
        }
    }

    /// Why base64 text was rejected.
    public enum Base64Reason: Equatable, Sendable, CustomStringConvertible {
        /// A byte outside `A-Z a-z 0-9 + /` and `=` (whitespace is not accepted either).
        case invalidCharacter(UInt8)
        /// The length is not a multiple of 4.
        case invalidLength
        /// `=` somewhere other than the last one or two positions, or non-zero bits before the padding.
        case invalidPadding

        public var description: String {
            switch self {
            case .invalidCharacter(let byte): "invalid base64 character \(JSONError.describe(byte: byte))"
            case .invalidLength: "base64 length is not a multiple of 4"
            case .invalidPadding: "invalid base64 padding"
            }
        }
    }

    public var description: String {
        switch self {
        case .syntax(let position, let reason):
            return "invalid JSON at byte \(position): \(reason)"
        case .typeMismatch(let expected, let found, let position):
            return "expected \(expected), found \(found)" + JSONError.suffix(position)
        case .missingMember(let key):
            return "missing member \"\(key)\""
        case .indexOutOfRange(let index):
            return "no array element at index \(index)"
        case .notAnInteger(let text, let position):
            return "\(text) is not an integer" + JSONError.suffix(position)
        case .integerOutOfRange(let text, let position):
            return "integer \(text) is out of range" + JSONError.suffix(position)
        case .invalidBase64(let position, let reason):
            return "\(reason) at byte \(position)"
        }
    }

    static func suffix(_ position: Int?) -> String {
        position.map { " at byte \($0)" } ?? ""
    }

    static func describe(byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}

/// The six kinds of JSON value.
public enum JSONKind: String, Equatable, Sendable, CustomStringConvertible {
    case null, bool, number, string, array, object

    public var description: String { rawValue }
}
