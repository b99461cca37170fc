import FerryHTTP
import Testing

@testable import FerryAPI

/// `ProduceParsing.bodyForm` (bytes compared in place) must decide exactly as `request.mediaType` does.
struct ProduceBodyFormTests {
    static func expected(_ request: HTTPRequest) -> ProduceParsing.BodyForm {
        switch request.mediaType {
        case "application/json", nil: return .records
        case "application/x-ndjson": return .ndjson
        default: return .raw
        }
    }

    @Test func bodyForm_MatchesMediaType_ForEveryContentTypeShape() {
        let values = [
            "application/json", "Application/JSON", "application/json; charset=utf-8", "  application/json\t;x=y",
            "application/json ", "\tapplication/x-ndjson", "APPLICATION/X-NDJSON;a=b", "application/x-ndjson  ",
            "application/octet-stream", "text/plain", "text/plain; charset=utf-8", "", " ", ";", ";application/json",
            ";;application/json", "application/json;", "application/jsonx", "application/js", "application /json",
            "application/ json", "applicatıon/json", "application/json\u{301}", "ａpplication/json",
            "application/\u{212A}json", "application/x-ndjsoN", "application/json;;", "x;application/json",
        ]
        var fast = 0
        for value in values {
            let request = HTTPRequest(method: .POST, target: "/v1/topics/t/messages", headers: ["Content-Type": value])
            #expect(ProduceParsing.bodyForm(request) == Self.expected(request), "Content-Type '\(value)'")
            if value.utf8.allSatisfy({ $0 < 0x80 }) { fast += 1 }
        }
        #expect(fast > values.count / 2)
        let none = HTTPRequest(method: .POST, target: "/v1/topics/t/messages")
        #expect(ProduceParsing.bodyForm(none) == .records)
    }
}
