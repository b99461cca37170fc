/// Receives the whitespace gaps the walker skips, so compaction can copy everything else in large runs.
protocol WhitespaceGapSink {
    /// Whitespace occupies `start..<end` of the input (empty only for the final flush).
    mutating func gap(_ start: Int, _ end: Int)
}

/// Ignores gaps (for ``JSONReader/skipValue()``).
struct DiscardingGapSink: WhitespaceGapSink {
    @inline(__always) mutating func gap(_ start: Int, _ end: Int) {}
}

/// Copies the input minus whitespace gaps into `out`.
struct CompactingGapSink: WhitespaceGapSink {
    let base: UnsafePointer<UInt8>
    var runStart: Int
    var out: [UInt8]

    @inline(__always) mutating func gap(_ start: Int, _ end: Int) {
        out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: start - runStart))
        runStart = end
    }
}

/// The iterative value walker behind ``JSONReader/skipValue()`` and ``JSONReader/readCompactValue(into:)``.
extension JSONReader {
    /// Skips whitespace and reports a non-empty gap to `sink`.
    @inline(__always)
    mutating func skipWhitespace<Sink: WhitespaceGapSink>(_ sink: inout Sink) {
        let start = position
        skipWhitespace()
        if position != start { sink.gap(start, position) }
    }

    /// Scans `"key"` + `:` (with whitespace) at `position`, leaving `position` at the member's value.
    @inline(__always)
    mutating func walkKeyAndColon<Sink: WhitespaceGapSink>(_ sink: inout Sink) throws {
        guard position < count else { throw syntax(position, .unexpectedEnd) }
        guard base[position] == UInt8(ascii: "\"") else { throw syntax(position, .expectedKey) }
        _ = try scanString()
        skipWhitespace(&sink)
        guard position < count else { throw syntax(position, .unexpectedEnd) }
        guard base[position] == UInt8(ascii: ":") else { throw syntax(position, .expectedColon) }
        position += 1
        skipWhitespace(&sink)
    }

    /// Validates one complete value starting at `position` (whitespace already skipped) and moves past it,
    /// reporting whitespace gaps inside it to `sink`. Uses a ``ContainerStack``, never recursion.
    mutating func walkValue<Sink: WhitespaceGapSink>(_ sink: inout Sink) throws {
        var stack = ContainerStack()
        let outerDepth = depth
        defer { depth = outerDepth }
        value: while true {
            guard position < count else { throw syntax(position, .unexpectedEnd) }
            switch base[position] {
            case UInt8(ascii: "\""):
                _ = try scanString()
            case UInt8(ascii: "{"):
                try enterContainer(at: position)
                position += 1
                skipWhitespace(&sink)
                if position < count && base[position] == UInt8(ascii: "}") {
                    position += 1
                    depth -= 1
                    break
                }
                stack.push(isObject: true)
                try walkKeyAndColon(&sink)
                continue value
            case UInt8(ascii: "["):
                try enterContainer(at: position)
                position += 1
                skipWhitespace(&sink)
                if position < count && base[position] == UInt8(ascii: "]") {
                    position += 1
                    depth -= 1
                    break
                }
                stack.push(isObject: false)
                continue value
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                _ = try scanNumber()
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                _ = try scanLiteral()
            case let byte:
                throw syntax(position, .unexpectedByte(byte))
            }
            // A value is complete: close containers or move to the next element/member.
            while !stack.isEmpty {
                skipWhitespace(&sink)
                guard position < count else { throw syntax(position, .unexpectedEnd) }
                let byte = base[position]
                let inObject = stack.topIsObject
                if byte == UInt8(ascii: ",") {
                    position += 1
                    skipWhitespace(&sink)
                    if position < count && base[position] == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        throw syntax(position, .trailingComma)
                    }
                    if inObject { try walkKeyAndColon(&sink) }
                    continue value
                }
                guard byte == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw syntax(position, .expectedCommaOrClose)
                }
                position += 1
                stack.pop()
                depth -= 1
            }
            return
        }
    }

    /// Validates and skips the next value.
    /// - Throws: `.syntax` if it is malformed or nested deeper than `maxDepth`.
    public mutating func skipValue() throws {
        skipWhitespace()
        var sink = DiscardingGapSink()
        try walkValue(&sink)
    }

    /// Validates the next value and appends its compact text to `out`: the input minus insignificant
    /// whitespace, byte for byte otherwise. Numbers and strings (escapes included) are copied exactly as written,
    /// which is valid compact JSON; nothing is decoded and no DOM is built.
    ///
    /// On a throw, `out` keeps what it had before the call plus an unspecified partial value; callers that
    /// reuse a buffer should truncate it to its previous count.
    public mutating func readCompactValue(into out: inout [UInt8]) throws {
        skipWhitespace()
        var sink = CompactingGapSink(base: base, runStart: position, out: [])
        swap(&sink.out, &out)
        defer { swap(&sink.out, &out) }
        try walkValue(&sink)
        sink.gap(position, position)
    }

    /// The compact text of the next value. See ``readCompactValue(into:)``.
    public mutating func readCompactValue() throws -> [UInt8] {
        var out: [UInt8] = []
        try readCompactValue(into: &out)
        return out
    }
}
