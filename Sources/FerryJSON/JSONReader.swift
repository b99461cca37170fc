/// A pull reader over JSON text that validates strictly (RFC 8259) as it goes, without building a DOM.
///
/// The REST layer walks a request body with it, e.g. for produce:
/// ```swift
/// try body.withUnsafeBytes { raw in
///     var reader = JSONReader(raw)
///     try reader.readObject { key, reader in
///         guard key == "records" else { return }          // unread values are skipped
///         try reader.readArray { index, reader in
///             try reader.readObject { key, reader in
///                 switch key {
///                 case "key": keyText = try reader.readString()
///                 case "value": try reader.readCompactValue(into: &storage)   // exact compact text
///                 default: try reader.skipValue()
///                 }
///             }
///         }
///     }
///     try reader.finish()                                   // only whitespace may follow
/// }
/// ```
///
/// Invariants and ownership: the reader borrows `bytes` and must not outlive them (it is not `Sendable` and
/// should never be stored). `position` is always at a value boundary between calls. Every read method first
/// skips whitespace, then reads exactly one complete value or throws; after a throw the reader's position is
/// unspecified and it should be discarded. Nesting deeper than `maxDepth` open arrays/objects (counting those
/// opened by ``readObject(_:)``/``readArray(_:)``) throws `.nestingTooDeep`, so hostile input cannot exhaust
/// the stack (no scanner recurses).
public struct JSONReader {
    /// The default nesting limit: 512 nested arrays/objects are accepted, 513 are not.
    public static let defaultMaxDepth = 512

    let base: UnsafePointer<UInt8>
    /// The number of input bytes.
    public let count: Int
    /// The byte offset of the next unread byte.
    public internal(set) var position = 0
    /// The maximum number of simultaneously open arrays/objects.
    public let maxDepth: Int
    /// The number of containers currently opened by ``readObject(_:)``/``readArray(_:)``.
    public internal(set) var depth = 0

    /// A reader over `bytes`, which must stay valid and unchanged while the reader is used.
    public init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = JSONReader.defaultMaxDepth) {
        precondition(maxDepth >= 0, "maxDepth must not be negative, got \(maxDepth)")
        // An empty buffer may have no base address; the pointer is then never dereferenced (count == 0).
        self.base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        self.count = bytes.count
        self.maxDepth = maxDepth
    }

    /// Runs `body` on a reader over a whole document, then checks that only whitespace follows (``finish()``).
    public static func read<Result>(
        _ bytes: UnsafeRawBufferPointer, maxDepth: Int = JSONReader.defaultMaxDepth,
        _ body: (inout JSONReader) throws -> Result
    ) throws -> Result {
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        let result = try body(&reader)
        try reader.finish()
        return result
    }

    /// Runs `body` on a reader over a whole document held in an array. See ``read(_:maxDepth:_:)``.
    public static func read<Result>(
        _ bytes: [UInt8], maxDepth: Int = JSONReader.defaultMaxDepth, _ body: (inout JSONReader) throws -> Result
    ) throws -> Result {
        try bytes.withUnsafeBytes { try read($0, maxDepth: maxDepth, body) }
    }

    /// True when only whitespace remains.
    public var isAtEnd: Bool {
        mutating get {
            skipWhitespace()
            return position == count
        }
    }

    /// Checks that only whitespace follows; call after reading the top-level value.
    /// - Throws: `.syntax(position:reason: .trailingData)` otherwise.
    public mutating func finish() throws {
        skipWhitespace()
        guard position == count else { throw syntax(position, .trailingData) }
    }

    /// The kind of the next value, after skipping whitespace (nothing is consumed).
    /// - Throws: `.syntax` with `.unexpectedEnd` or `.unexpectedByte` if no value can start here.
    public mutating func peekKind() throws -> JSONKind {
        skipWhitespace()
        guard position < count else { throw syntax(position, .unexpectedEnd) }
        switch base[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case let byte: throw syntax(position, .unexpectedByte(byte))
        }
    }

    // MARK: Internals shared by the scanners

    /// The next byte without consuming it (no whitespace skipping), or nil at the end.
    @inline(__always)
    func peekByte() -> UInt8? { position < count ? base[position] : nil }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < count {
            switch base[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    @inline(__always)
    func syntax(_ position: Int, _ reason: JSONError.SyntaxReason) -> JSONError {
        .syntax(position: position, reason: reason)
    }

    /// Throws `.typeMismatch` (or a syntax error if no value starts here) unless the next value is `kind`.
    @inline(__always)
    mutating func expect(_ kind: JSONKind) throws {
        let found = try peekKind()
        guard found == kind else { throw JSONError.typeMismatch(expected: kind, found: found, position: position) }
    }

    /// The input bytes `start..<end` as a buffer.
    @inline(__always)
    func bytes(_ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + start, count: end - start)
    }

    /// Enters one nesting level for a container opening at `position`.
    @inline(__always)
    mutating func enterContainer(at open: Int) throws {
        depth += 1
        guard depth <= maxDepth else { throw syntax(open, .nestingTooDeep(limit: maxDepth)) }
    }
}
