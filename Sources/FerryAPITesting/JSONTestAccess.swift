import FerryJSON
import Testing

/// Lenient accessors for assertions: nil instead of a throw, so `#expect(x.int == 3)` reads naturally.
extension JSONValue {
    public var int: Int64? { try? int64 }
    public var str: String? { try? string }
    public var list: [JSONValue]? { try? array }
    public var isObject: Bool { if case .object = self { true } else { false } }
    /// The exact number text (`1.10` stays `1.10`).
    public var numberText: String? { (try? number)?.text }
    /// Member names of an object, in order.
    public var keys: [String] { (try? object)?.keys ?? [] }
}

extension Optional where Wrapped == JSONValue {
    public var int: Int64? { self?.int }
    public var str: String? { self?.str }
    public var list: [JSONValue]? { self?.list }
}

extension APIResponse {
    /// The `messages` array of a fetch response (empty when absent).
    public var messages: [JSONValue] { self["messages"].list ?? [] }
    /// The `offsets` array of a produce response.
    public var offsets: [JSONValue] { self["offsets"].list ?? [] }
}

/// Checks an RFC 9457 problem response: status, content type, `type` slug, `status` member and a title.
public func expectProblem(
    _ response: APIResponse, _ status: Int, _ slug: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        response.status == status, "expected \(status) \(slug), got \(response.status): \(response.text)",
        sourceLocation: sourceLocation)
    #expect(
        response.header("Content-Type")?.hasPrefix("application/problem+json") == true,
        "content type \(response.header("Content-Type") ?? "none")", sourceLocation: sourceLocation)
    #expect(
        response["type"].str == "urn:ferry:error:\(slug)", "body: \(response.text)", sourceLocation: sourceLocation)
    #expect(response["status"].int == Int64(status), sourceLocation: sourceLocation)
    #expect(response["title"].str?.isEmpty == false, sourceLocation: sourceLocation)
}
