import FerryJSON

/// A JSON value for an extra member of a problem document (RFC 9457 §3.2 "extension members").
public enum ProblemValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case null
    /// Already-encoded JSON, inserted as is (the caller guarantees it is valid JSON).
    case rawJSON(String)
}

extension HTTPResponse {
    /// An RFC 9457 `application/problem+json` response:
    /// `{"type": "urn:ferry:error:<slug>", "title": ..., "status": ..., "detail": ..., <extra members>}`.
    ///
    /// - Parameters:
    ///   - slug: the error slug from API.md (`not-found`, `bad-request`, ...).
    ///   - title: a short human summary; defaults to the status' reason phrase.
    ///   - detail: the occurrence-specific explanation, omitted when nil.
    ///   - extra: extension members in order; names must not repeat the standard ones.
    public static func problem(
        _ status: HTTPStatus, slug: String, title: String? = nil, detail: String? = nil,
        extra: [(String, ProblemValue)] = [], headers: HTTPHeaders = HTTPHeaders()
    ) -> HTTPResponse {
        var out: [UInt8] = []
        out.reserveCapacity(128 + (detail?.utf8.count ?? 0))
        out.append(contentsOf: #"{"type":"urn:ferry:error:"#.utf8)
        appendJSONEscaped(slug, to: &out)
        out.append(contentsOf: #"","title":""#.utf8)
        appendJSONEscaped(title ?? status.reasonPhrase, to: &out)
        out.append(contentsOf: #"","status":"#.utf8)
        out.append(contentsOf: String(status.code).utf8)
        if let detail {
            out.append(contentsOf: #","detail":""#.utf8)
            appendJSONEscaped(detail, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        for (name, value) in extra {
            out.append(contentsOf: #",""#.utf8)
            appendJSONEscaped(name, to: &out)
            out.append(contentsOf: #"":"#.utf8)
            switch value {
            case .string(let s):
                out.append(UInt8(ascii: "\""))
                appendJSONEscaped(s, to: &out)
                out.append(UInt8(ascii: "\""))
            case .int(let i): out.append(contentsOf: String(i).utf8)
            case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
            case .null: out.append(contentsOf: "null".utf8)
            case .rawJSON(let raw): out.append(contentsOf: raw.utf8)
            }
        }
        out.append(UInt8(ascii: "}"))
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/problem+json")
        return HTTPResponse(status: status, headers: headers, body: out)
    }
}

/// Appends `s` with RFC 8259 string escaping (without the surrounding quotes).
@inline(__always)
func appendJSONEscaped(_ s: String, to out: inout [UInt8]) {
    JSONText.appendEscaped(s, quoted: false, to: &out)
}
