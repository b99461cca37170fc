import FerryBroker
import FerryHTTP
import FerryJSON
import Synchronization

/// Reading query parameters and JSON bodies with API.md's error rules.
extension HTTPRequest {
    /// An optional integer query parameter in `range`: nil when absent; anything else → 400 invalid-parameter.
    func integerQuery(_ name: String, in range: ClosedRange<Int64>) throws(APIFailure) -> Int64? {
        guard let text = query(name) else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw .parameter(name, "must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return value
    }

    /// An integer query parameter in `range`, `defaultValue` when absent; anything else → 400 invalid-parameter.
    /// The non-optional result is the point: a caller never unwraps a request value.
    func integerQuery(_ name: String, in range: ClosedRange<Int64>, default defaultValue: Int64) throws(APIFailure)
        -> Int64
    {
        try integerQuery(name, in: range) ?? defaultValue
    }

    /// A path parameter that must be a non-negative integer (a partition number).
    func partitionParameter(_ name: String = "partition") throws(APIFailure) -> Int {
        let text = pathParameter(name) ?? ""
        guard let value = Int(text), value >= 0, value < Int(Int32.max) else {
            throw .parameter(name, "must be a non-negative integer, got '\(text)'")
        }
        return value
    }

    /// The `Content-Type` media type, lower-cased, without parameters; nil when absent.
    var mediaType: String? {
        guard let value = headers["Content-Type"] else { return nil }
        let type = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? value
        return type.trimmingCharacters(in: " \t").lowercased()
    }

    /// Throws 415 unless the declared content type is JSON (a missing one is read as JSON).
    func requireJSONContentType() throws(APIFailure) {
        guard let type = mediaType else { return }
        if type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json")) { return }
        throw APIFailure(ProblemMapping.unsupportedMediaType(headers["Content-Type"] ?? ""))
    }

    /// The body parsed as a JSON object; an empty body is `{}` when `emptyAllowed`.
    func jsonObject(emptyAllowed: Bool = false) throws(APIFailure) -> JSONObject {
        let blank = body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
        // An endpoint whose body is optional accepts "no body" whatever type a client declares for it
        // (`curl -X POST -d ''` sends a form type).
        if blank && emptyAllowed { return JSONObject() }
        try requireJSONContentType()
        if blank {
            throw APIFailure(.problem(.badRequest, slug: "invalid-json", detail: "request body is empty"))
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(body)
        } catch let error as JSONError {
            throw APIFailure(ProblemMapping.invalidJSON(error))
        } catch {
            throw APIFailure(.problem(.badRequest, slug: "invalid-json", detail: "\(error)"))
        }
        guard case .object(let object) = value else { throw .parameter("body", "must be a JSON object") }
        return object
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        var view = Substring(self)
        while let first = view.unicodeScalars.first, scalars.contains(first) { view = view.dropFirst() }
        while let last = view.unicodeScalars.last, scalars.contains(last) { view = view.dropLast() }
        return String(view)
    }
}

/// Typed access to JSON object members with 400 invalid-parameter errors naming the field.
extension JSONObject {
    /// An optional integer member in `range`: nil when absent or `null`; anything else → 400 invalid-parameter.
    func int64(_ key: String, in range: ClosedRange<Int64>) throws(APIFailure) -> Int64? {
        guard let value = self[key], !value.isNull else { return nil }
        guard case .number(let number) = value, number.isInteger, let int = try? number.int64, range.contains(int)
        else {
            throw .parameter(key, "must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return int
    }

    /// An integer member in `range`, `defaultValue` when absent or `null`; anything else → 400 invalid-parameter.
    func int64(_ key: String, in range: ClosedRange<Int64>, default defaultValue: Int64) throws(APIFailure) -> Int64 {
        try int64(key, in: range) ?? defaultValue
    }

    /// A required integer member in `range`: absent, `null` or anything else → 400 invalid-parameter naming it.
    func requiredInt64(_ key: String, in range: ClosedRange<Int64>) throws(APIFailure) -> Int64 {
        guard let value = try int64(key, in: range) else {
            throw .parameter(key, "is required: an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func string(_ key: String) throws(APIFailure) -> String? {
        guard let value = self[key], !value.isNull else { return nil }
        guard case .string(let string) = value else { throw .parameter(key, "must be a string") }
        return string
    }

    func bool(_ key: String) throws(APIFailure) -> Bool? {
        guard let value = self[key], !value.isNull else { return nil }
        guard case .bool(let bool) = value else { throw .parameter(key, "must be true or false") }
        return bool
    }

    func stringArray(_ key: String) throws(APIFailure) -> [String]? {
        guard let value = self[key], !value.isNull else { return nil }
        guard case .array(let items) = value else { throw .parameter(key, "must be an array of strings") }
        var result: [String] = []
        for item in items {
            guard case .string(let string) = item else { throw .parameter(key, "must be an array of strings") }
            result.append(string)
        }
        return result
    }
}
