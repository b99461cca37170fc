/// Typed reads for walking request bodies. Each skips leading whitespace and consumes exactly one value, or
/// throws `.typeMismatch(expected:found:position:)` (position = the value's first byte) without consuming it,
/// or a `.syntax` error for malformed input.
extension JSONReader {
    /// Reads an object member by member, calling `body(key, &reader)` with the reader at each member's value.
    ///
    /// `body` should read that value with one read call; if it reads nothing, the value is skipped (validated).
    /// Duplicate keys are reported each time, in input order. Keys are decoded (escapes resolved).
    public mutating func readObject(_ body: (String, inout JSONReader) throws -> Void) throws {
        try expect(.object)
        try enterContainer(at: position)
        position += 1
        skipWhitespace()
        if position < count && base[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return
        }
        while true {
            let key = try readKeyAndColon()
            let valueStart = position
            try body(key, &self)
            if position == valueStart { try skipValue() }
            guard try afterElement(close: UInt8(ascii: "}")) else { break }
        }
        depth -= 1
    }

    /// Reads an array element by element, calling `body(index, &reader)` with the reader at each element.
    ///
    /// `body` should read the element with one read call; if it reads nothing, the element is skipped.
    public mutating func readArray(_ body: (Int, inout JSONReader) throws -> Void) throws {
        try expect(.array)
        try enterContainer(at: position)
        position += 1
        skipWhitespace()
        if position < count && base[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return
        }
        var index = 0
        while true {
            let elementStart = position
            try body(index, &self)
            if position == elementStart { try skipValue() }
            index += 1
            guard try afterElement(close: UInt8(ascii: "]")) else { break }
        }
        depth -= 1
    }

    /// After an element: consumes `,` (returns true, positioned at the next element/key) or the closing
    /// bracket (returns false).
    private mutating func afterElement(close: UInt8) throws -> Bool {
        skipWhitespace()
        guard position < count else { throw syntax(position, .unexpectedEnd) }
        let byte = base[position]
        position += 1
        if byte == close { return false }
        guard byte == UInt8(ascii: ",") else { throw syntax(position - 1, .expectedCommaOrClose) }
        skipWhitespace()
        if position < count && base[position] == close { throw syntax(position, .trailingComma) }
        return true
    }

    /// Reads a string, decoding escapes.
    public mutating func readString() throws -> String {
        try expect(.string)
        return decodeString(try scanString())
    }

    /// Reads a string and appends its decoded UTF-8 bytes to `out` (no `String` is created).
    public mutating func readString(appendingUTF8To out: inout [UInt8]) throws {
        try expect(.string)
        appendDecoded(try scanString(), to: &out)
    }

    /// Reads a string holding standard base64 (with padding) and returns the decoded bytes.
    /// - Throws: `.invalidBase64` as ``Base64`` decoding does (its position counts from the string's first
    ///   content byte), or `.typeMismatch` unless the value is a string.
    public mutating func readBase64() throws -> [UInt8] {
        try expect(.string)
        let span = try scanString()
        if !span.hasEscapes { return try Base64.decode(UnsafeRawBufferPointer(bytes(span.start, span.end))) }
        var decoded: [UInt8] = []
        appendDecoded(span, to: &decoded)
        return try Base64.decode(decoded)
    }

    /// Reads a number as its exact text.
    public mutating func readNumber() throws -> JSONNumber {
        try expect(.number)
        let start = try scanNumber()
        return JSONNumber(unchecked: String(decoding: bytes(start, position), as: UTF8.self))
    }

    /// Reads an integer in `Int64` range written without fraction or exponent (`-0` reads as 0).
    /// - Throws: `.notAnInteger` for `1.0`/`1e3`, `.integerOutOfRange` beyond `Int64`.
    public mutating func readInt64() throws -> Int64 {
        try expect(.number)
        let start = try scanNumber()
        var p = start
        let negative = base[p] == UInt8(ascii: "-")
        if negative { p += 1 }
        var magnitude: UInt64 = 0
        var overflow = false
        while p < position {
            let digit = base[p] &- UInt8(ascii: "0")
            guard digit < 10 else {
                throw JSONError.notAnInteger(String(decoding: bytes(start, position), as: UTF8.self), position: start)
            }
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            overflow = overflow || o1 || o2
            magnitude = sum
            p += 1
        }
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        guard !overflow, magnitude <= limit else {
            throw JSONError.integerOutOfRange(String(decoding: bytes(start, position), as: UTF8.self), position: start)
        }
        return negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
    }

    /// Reads `true` or `false`.
    public mutating func readBool() throws -> Bool {
        try expect(.bool)
        guard case .bool(let value) = try scanLiteral() else { throw syntax(position, .invalidLiteral) }
        return value
    }

    /// Reads `null`.
    public mutating func readNull() throws {
        try expect(.null)
        _ = try scanLiteral()
    }

    /// Consumes the next value if it is `null` and returns true; otherwise consumes nothing and returns false.
    public mutating func readNullIfPresent() throws -> Bool {
        guard try peekKind() == .null else { return false }
        _ = try scanLiteral()
        return true
    }
}
