/// Building a ``JSONValue`` DOM, iteratively (explicit stacks, no recursion).
extension JSONReader {
    /// Reads the next value into a ``JSONValue`` (numbers as exact text, strings decoded, members in order).
    /// - Throws: `.syntax` if it is malformed or nested deeper than `maxDepth`.
    public mutating func readValue() throws -> JSONValue {
        skipWhitespace()
        var stack = ContainerStack()
        var arrays: [[JSONValue]] = []
        var objects: [JSONObject] = []
        var keys: [String] = []
        let outerDepth = depth
        defer { depth = outerDepth }
        var current: JSONValue
        value: while true {
            guard position < count else { throw syntax(position, .unexpectedEnd) }
            switch base[position] {
            case UInt8(ascii: "\""):
                current = .string(decodeString(try scanString()))
            case UInt8(ascii: "{"):
                try enterContainer(at: position)
                position += 1
                skipWhitespace()
                if position < count && base[position] == UInt8(ascii: "}") {
                    position += 1
                    current = .object(JSONObject())
                    depth -= 1
                    break
                }
                stack.push(isObject: true)
                objects.append(JSONObject())
                keys.append(try readKeyAndColon())
                continue value
            case UInt8(ascii: "["):
                try enterContainer(at: position)
                position += 1
                skipWhitespace()
                if position < count && base[position] == UInt8(ascii: "]") {
                    position += 1
                    current = .array([])
                    depth -= 1
                    break
                }
                stack.push(isObject: false)
                arrays.append([])
                continue value
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = try scanNumber()
                current = .number(JSONNumber(unchecked: String(decoding: bytes(start, position), as: UTF8.self)))
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                current = try scanLiteral()
            case let byte:
                throw syntax(position, .unexpectedByte(byte))
            }
            while !stack.isEmpty {
                let inObject = stack.topIsObject
                if inObject {
                    objects[objects.count - 1].append(keys.removeLast(), current)
                } else {
                    arrays[arrays.count - 1].append(current)
                }
                skipWhitespace()
                guard position < count else { throw syntax(position, .unexpectedEnd) }
                let byte = base[position]
                if byte == UInt8(ascii: ",") {
                    position += 1
                    skipWhitespace()
                    if position < count && base[position] == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        throw syntax(position, .trailingComma)
                    }
                    if inObject { keys.append(try readKeyAndColon()) }
                    continue value
                }
                guard byte == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw syntax(position, .expectedCommaOrClose)
                }
                position += 1
                stack.pop()
                depth -= 1
                current = inObject ? .object(objects.removeLast()) : .array(arrays.removeLast())
            }
            return current
        }
    }

    /// Reads `"key"` + `:` at `position`, leaving `position` at the member's value (whitespace skipped).
    mutating func readKeyAndColon() throws -> String {
        guard position < count else { throw syntax(position, .unexpectedEnd) }
        guard base[position] == UInt8(ascii: "\"") else { throw syntax(position, .expectedKey) }
        let key = decodeString(try scanString())
        skipWhitespace()
        guard position < count else { throw syntax(position, .unexpectedEnd) }
        guard base[position] == UInt8(ascii: ":") else { throw syntax(position, .expectedColon) }
        position += 1
        skipWhitespace()
        return key
    }
}
