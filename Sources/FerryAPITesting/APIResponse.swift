import FerryCurl
import FerryHTTP
import FerryJSON

/// One HTTP response as API tests see it, whichever way it came (libcurl over a socket, or in process): status,
/// headers, raw body and the body parsed as JSON (nil when it is not JSON). A value; `Sendable`.
public struct APIResponse: Sendable {
    public let status: Int
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]
    public let json: JSONValue?

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
        json = try? JSONValue.parse(body)
    }

    /// What libcurl received.
    public init(_ response: CurlResponse) {
        self.init(status: response.status, headers: response.headers, body: response.body)
    }

    /// What a handler answered in process.
    public init(_ response: HTTPResponse) {
        self.init(
            status: response.status.code, headers: response.headers.fields.map { ($0.name, $0.value) },
            body: response.body)
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// A member of the JSON body (nil when absent or the body is not an object).
    public subscript(key: String) -> JSONValue? { json?[key] }
}
