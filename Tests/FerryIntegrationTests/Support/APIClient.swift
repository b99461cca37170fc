import FerryCurl
import FerryJSON
import Testing

/// One HTTP response as the tests see it: status, headers, raw body and the body parsed as JSON (nil when it is
/// not JSON).
struct APIResponse: Sendable {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: [UInt8]
    let json: JSONValue?

    init(_ response: CurlResponse) {
        status = response.status
        headers = response.headers
        body = response.body
        json = try? JSONValue.parse(response.body)
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The first header named `name` (case-insensitive).
    func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// A member of the JSON body (nil when absent or the body is not an object).
    subscript(key: String) -> JSONValue? { json?[key] }
}

/// A libcurl client bound to one server's base URL. Requests run on the client's `curl_multi` thread, so
/// awaiting them never blocks a cooperative-pool thread. `Sendable`.
final class APIClient: Sendable {
    let baseURL: String
    let curl = CurlHTTPClient(maxIdleHandles: 16)

    init(port: Int) { baseURL = "http://127.0.0.1:\(port)" }

    /// Sends any request; `body` as given, `headers` in order.
    func request(
        _ method: String, _ path: String, body: [UInt8] = [], headers: [(name: String, value: String)] = [],
        timeout: Duration = .seconds(30)
    ) async throws -> APIResponse {
        let request = CurlRequest(method: method, url: baseURL + path, headers: headers, body: body, timeout: timeout)
        return APIResponse(try await curl.send(request))
    }

    func get(_ path: String, headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(30))
        async throws -> APIResponse
    {
        try await request("GET", path, headers: headers, timeout: timeout)
    }

    func delete(_ path: String, headers: [(name: String, value: String)] = []) async throws -> APIResponse {
        try await request("DELETE", path, headers: headers)
    }

    /// POST with a JSON text body (`Content-Type: application/json`).
    func post(_ path: String, json: String, headers: [(name: String, value: String)] = []) async throws -> APIResponse {
        try await request("POST", path, body: Array(json.utf8), headers: [("Content-Type", "application/json")] + headers)
    }

    /// POST with raw bytes and exactly the given headers (no Content-Type added).
    func post(_ path: String, body: [UInt8], headers: [(name: String, value: String)] = []) async throws -> APIResponse {
        try await request("POST", path, body: body, headers: headers)
    }

    func patch(_ path: String, json: String, headers: [(name: String, value: String)] = []) async throws -> APIResponse {
        try await request("PATCH", path, body: Array(json.utf8), headers: [("Content-Type", "application/json")] + headers)
    }

    // MARK: Shortcuts that expect success

    /// Creates a topic and expects 201.
    @discardableResult
    func createTopic(_ name: String, partitions: Int = 1, config: String? = nil) async throws -> APIResponse {
        var body = #"{"name":"\#(name)","partitions":\#(partitions)"#
        if let config { body += #","config":\#(config)"# }
        body += "}"
        let response = try await post("/v1/topics", json: body)
        #expect(response.status == 201, "create topic \(name): \(response.text)")
        return response
    }

    /// Produces a JSON records body (`{"records": [...]}` built from the given record objects) and expects 200.
    @discardableResult
    func produce(_ topic: String, records: [String], headers: [(name: String, value: String)] = []) async throws
        -> APIResponse
    {
        let response = try await post(
            "/v1/topics/\(topic)/messages", json: #"{"records":[\#(records.joined(separator: ","))]}"#, headers: headers)
        #expect(response.status == 200, "produce to \(topic): \(response.text)")
        return response
    }

    /// Fetches a partition (query string without `?`) and expects 200.
    func fetch(_ topic: String, partition: Int = 0, query: String = "") async throws -> APIResponse {
        let response = try await get("/v1/topics/\(topic)/partitions/\(partition)/messages" + (query.isEmpty ? "" : "?" + query))
        #expect(response.status == 200, "fetch \(topic)/\(partition)?\(query): \(response.text)")
        return response
    }

    /// Joins a group and returns the member id (expects 201).
    func join(_ group: String, body: String) async throws -> (memberID: String, response: APIResponse) {
        let response = try await post("/v1/groups/\(group)/members", json: body)
        #expect(response.status == 201, "join \(group): \(response.text)")
        return (try #require(response["member_id"].flatMap { try? $0.string }), response)
    }
}
