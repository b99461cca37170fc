@testable import FerryJSON

/// Parses `text` with the DOM parser.
func parse(_ text: String, maxDepth: Int = JSONReader.defaultMaxDepth) throws -> JSONValue {
    try JSONValue.parse(Array(text.utf8), maxDepth: maxDepth)
}

/// The streaming compaction of `bytes` (a whole document) as a string.
func compact(_ bytes: [UInt8], maxDepth: Int = JSONReader.defaultMaxDepth) throws -> [UInt8] {
    try bytes.withUnsafeBytes { raw in
        var reader = JSONReader(raw, maxDepth: maxDepth)
        let out = try reader.readCompactValue()
        try reader.finish()
        return out
    }
}

func compact(_ text: String) throws -> String {
    String(decoding: try compact(Array(text.utf8)), as: UTF8.self)
}

/// Validates `bytes` (a whole document) with skipValue.
func skip(_ bytes: [UInt8], maxDepth: Int = JSONReader.defaultMaxDepth) throws {
    try bytes.withUnsafeBytes { raw in
        var reader = JSONReader(raw, maxDepth: maxDepth)
        try reader.skipValue()
        try reader.finish()
    }
}

/// The error thrown by `body`, or nil.
func error(_ body: () throws -> Void) -> JSONError? {
    do {
        try body()
        return nil
    } catch let error as JSONError {
        return error
    } catch {
        return nil
    }
}

/// Runs `body` on a reader over `text`.
func withReader<R>(_ text: String, _ body: (inout JSONReader) throws -> R) throws -> R {
    try Array(text.utf8).withUnsafeBytes { raw in
        var reader = JSONReader(raw)
        return try body(&reader)
    }
}
