import FerryBroker
import FerryHTTP
import FerryJSON
import Synchronization

/// Turns a produce request body into a ``ProduceBatch`` (API.md "Produce"): JSON records, NDJSON lines, or raw
/// bytes (whole body or `?split=lines`). Any bad record → 400 `invalid-record` naming its index.
enum ProduceParsing {
    static func batch(from request: HTTPRequest) throws(APIFailure) -> ProduceBatch {
        var queryKey: [UInt8]?
        if let key = request.query("key") { queryKey = Array(key.utf8) }
        switch bodyForm(request) {
        case .records:
            if request.query("key") != nil {
                throw .parameter("key", "applies to raw and NDJSON bodies only; give each record its own key")
            }
            return try records(request.body)
        case .ndjson:
            return try lines(request.body, json: true, key: queryKey)
        case .raw:
            if let split = request.query("split") {
                guard split == "lines" else { throw .parameter("split", "must be 'lines'") }
                return try lines(request.body, json: false, key: queryKey)
            }
            var batch = ProduceBatch()
            batch.bytes = request.body  // shares the body's storage: no copy
            let value = 0..<batch.bytes.count
            let key = queryKey.map { batch.store($0) }
            batch.records.append(
                .init(key: key, value: value, valueFormat: .raw, headers: 0..<0, partition: nil, timestamp: nil))
            return batch
        }
    }

    /// How a produce body is read: `{"records": [...]}`, NDJSON lines, or raw bytes.
    enum BodyForm: Equatable {
        case records, ndjson, raw
    }

    /// The body form `Content-Type` selects: no header or `application/json` → records, `application/x-ndjson`
    /// → NDJSON, anything else → raw. Decides exactly as comparing `request.mediaType` would (lower-cased,
    /// parameters and surrounding spaces/tabs removed), but for the usual ASCII value it compares bytes in place
    /// instead of building three strings per request (that cost ~10% of a single-message produce).
    static func bodyForm(_ request: HTTPRequest) -> BodyForm {
        guard var value = request.headers["Content-Type"] else { return .records }
        let direct = value.withUTF8 { utf8 -> BodyForm? in
            // Non-ASCII (Unicode case mapping, grapheme clusters) or a leading `;` (split omits the empty first
            // piece): leave those to the string path.
            guard utf8.first != UInt8(ascii: ";"), utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
            var end = utf8.firstIndex(of: UInt8(ascii: ";")) ?? utf8.count
            var start = 0
            while start < end && (utf8[start] == 0x20 || utf8[start] == 0x09) { start += 1 }
            while end > start && (utf8[end - 1] == 0x20 || utf8[end - 1] == 0x09) { end -= 1 }
            let type = UnsafeBufferPointer(rebasing: utf8[start..<end])
            if equalsLowercased(type, "application/json") { return .records }
            if equalsLowercased(type, "application/x-ndjson") { return .ndjson }
            return .raw
        }
        if let direct { return direct }
        switch request.mediaType {
        case "application/json", nil: return .records
        case "application/x-ndjson": return .ndjson
        default: return .raw
        }
    }

    /// True when the ASCII `bytes`, lower-cased, equal `lowercase` (itself lower-case ASCII).
    static func equalsLowercased(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for i in 0..<bytes.count {
            var byte = bytes[i]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 0x20 }
            if byte != expected[i] { return false }
        }
        return true
    }

    /// NDJSON (each non-empty line one JSON value) or raw lines (each non-empty line one message).
    static func lines(_ body: [UInt8], json: Bool, key: [UInt8]?) throws(APIFailure) -> ProduceBatch {
        var batch = ProduceBatch()
        batch.bytes.reserveCapacity(body.count)  // the lines (plus any keys): one allocation in the common case
        var start = 0
        var index = 0
        let newline = UInt8(ascii: "\n")
        while start < body.count {
            var end = start
            while end < body.count && body[end] != newline { end += 1 }
            var lineEnd = end
            if lineEnd > start && body[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            if lineEnd > start {
                let keyRange = key.map { batch.store($0) }
                let value: Range<Int>?
                if json {
                    do {
                        value = try body.withUnsafeBytes { raw throws -> Range<Int>? in
                            var reader = JSONReader(UnsafeRawBufferPointer(rebasing: raw[start..<lineEnd]))
                            if try reader.peekKind() == .null {
                                try reader.readNull()
                                try reader.finish()
                                return nil
                            }
                            let begin = batch.bytes.count
                            try reader.readCompactValue(into: &batch.bytes)
                            try reader.finish()
                            return begin..<batch.bytes.count
                        }
                    } catch {
                        throw APIFailure(BrokerError.invalidRecord(index: index, reason: "line is not JSON: \(error)"))
                    }
                } else {
                    value = batch.store(body[start..<lineEnd])
                }
                batch.records.append(
                    .init(
                        key: keyRange, value: value, valueFormat: json ? .json : .raw, headers: 0..<0, partition: nil,
                        timestamp: nil))
                index += 1
            }
            start = end + 1
        }
        guard !batch.records.isEmpty else {
            throw APIFailure(BrokerError.invalidRecord(index: 0, reason: "the body holds no non-empty line"))
        }
        return batch
    }

    /// `{"records": [{"key"|"key_base64", "value"|"value_base64", "headers", "partition", "timestamp"}]}`.
    static func records(_ body: [UInt8]) throws(APIFailure) -> ProduceBatch {
        var batch = ProduceBatch()
        // Stored keys, values and headers are never longer than their JSON text: one allocation, no regrowth.
        batch.bytes.reserveCapacity(body.count)
        var sawRecords = false
        var currentIndex = -1
        do {
            try body.withUnsafeBytes { raw in
                var reader = JSONReader(raw)
                guard try reader.peekKind() == .object else { throw RecordError.shape("body must be a JSON object") }
                try reader.readObject { key, reader in
                    guard key == "records" else { return try reader.skipValue() }
                    sawRecords = true
                    guard try reader.peekKind() == .array else { throw RecordError.shape("records must be an array") }
                    try reader.readArray { index, reader in
                        currentIndex = index
                        guard index < Broker.maxRecordsPerRequest else {
                            throw RecordError.shape("at most \(Broker.maxRecordsPerRequest) records per request")
                        }
                        try readRecord(&reader, index: index, into: &batch)
                    }
                }
                try reader.finish()
            }
        } catch let error as RecordError {
            // A record error found while reading is the record's fault only when the body is JSON at all.
            if let syntax = syntaxError(body) { throw APIFailure(ProblemMapping.invalidJSON(syntax)) }
            switch error {
            case .shape(let reason): throw .parameter("records", reason)
            case .record(let index, let reason):
                throw APIFailure(BrokerError.invalidRecord(index: index, reason: reason))
            }
        } catch let error as JSONError {
            // Text that is not JSON (truncated, a trailing comma, not JSON at all) is the body's fault, wherever
            // it is; a well-formed value of the wrong kind inside a record is that record's.
            if case .syntax = error { throw APIFailure(ProblemMapping.invalidJSON(error)) }
            if let syntax = syntaxError(body) { throw APIFailure(ProblemMapping.invalidJSON(syntax)) }
            if currentIndex >= 0 && sawRecords {
                throw APIFailure(BrokerError.invalidRecord(index: currentIndex, reason: "\(error)"))
            }
            throw APIFailure(ProblemMapping.invalidJSON(error))
        } catch {
            throw APIFailure(.problem(.badRequest, slug: "invalid-json", detail: "\(error)"))
        }
        guard sawRecords else { throw .parameter("records", "is required") }
        guard !batch.records.isEmpty else { throw .parameter("records", "must hold at least one record") }
        return batch
    }

    /// The first syntax error of `body` read as one JSON text, nil when it is well-formed. Only called on an
    /// error path, so a good produce body is read once.
    static func syntaxError(_ body: [UInt8]) -> JSONError? {
        do {
            try body.withUnsafeBytes { raw in
                var reader = JSONReader(raw)
                try reader.skipValue()
                try reader.finish()
            }
            return nil
        } catch let error as JSONError {
            if case .syntax = error { return error }
            return nil
        } catch {
            return nil
        }
    }

    enum RecordError: Error {
        case shape(String)
        case record(Int, String)
    }

    static func readRecord(_ reader: inout JSONReader, index: Int, into batch: inout ProduceBatch) throws {
        guard try reader.peekKind() == .object else { throw RecordError.record(index, "must be an object") }
        var key: Range<Int>?
        var hasKey = false
        var value: Range<Int>?
        var hasValue = false
        var format = ValueFormat.json
        var partition: Int?
        var timestamp: Int64?
        let headerStart = batch.headers.count
        try reader.readObject { field, reader in
            switch field {
            case "key", "key_base64":
                guard !hasKey else { throw RecordError.record(index, "give at most one of key / key_base64") }
                hasKey = true
                if try reader.readNullIfPresent() { return }
                guard try reader.peekKind() == .string else {
                    throw RecordError.record(index, "\(field) must be a string")
                }
                if field == "key" {
                    let begin = batch.bytes.count
                    try reader.readString(appendingUTF8To: &batch.bytes)
                    key = begin..<batch.bytes.count
                } else {
                    do {
                        key = batch.store(try reader.readBase64())
                    } catch {
                        throw RecordError.record(index, "key_base64 is not valid base64")
                    }
                }
            case "value":
                guard !hasValue else { throw RecordError.record(index, "give exactly one of value / value_base64") }
                hasValue = true
                if try reader.readNullIfPresent() { return }
                let begin = batch.bytes.count
                try reader.readCompactValue(into: &batch.bytes)
                value = begin..<batch.bytes.count
                format = .json
            case "value_base64":
                guard !hasValue else { throw RecordError.record(index, "give exactly one of value / value_base64") }
                hasValue = true
                guard try reader.peekKind() == .string else {
                    throw RecordError.record(index, "value_base64 must be a string")
                }
                do {
                    value = batch.store(try reader.readBase64())
                } catch {
                    throw RecordError.record(index, "value_base64 is not valid base64")
                }
                format = .raw
            case "headers":
                if try reader.readNullIfPresent() { return }
                guard try reader.peekKind() == .object else {
                    throw RecordError.record(index, "headers must be an object")
                }
                try reader.readObject { name, reader in
                    guard !name.isEmpty else { throw RecordError.record(index, "header names must not be empty") }
                    guard try reader.peekKind() == .string else {
                        throw RecordError.record(index, "header '\(name)' must be a string")
                    }
                    let nameRange = batch.store(name.utf8)
                    let begin = batch.bytes.count
                    try reader.readString(appendingUTF8To: &batch.bytes)
                    _ = batch.addHeader(name: nameRange, value: begin..<batch.bytes.count)
                }
            case "partition":
                if try reader.readNullIfPresent() { return }
                guard try reader.peekKind() == .number, let p = try? reader.readInt64(), p >= 0, p < Int64(Int32.max)
                else {
                    throw RecordError.record(index, "partition must be a non-negative integer")
                }
                partition = Int(p)
            case "timestamp":
                if try reader.readNullIfPresent() { return }
                guard try reader.peekKind() == .number, let t = try? reader.readInt64(), t >= 0 else {
                    throw RecordError.record(index, "timestamp must be a non-negative integer (ms)")
                }
                timestamp = t
            default:
                try reader.skipValue()
            }
        }
        guard hasValue else { throw RecordError.record(index, "needs exactly one of value / value_base64") }
        batch.records.append(
            .init(
                key: key, value: value, valueFormat: format, headers: headerStart..<batch.headers.count,
                partition: partition, timestamp: timestamp))
    }
}
