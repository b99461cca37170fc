import FerryJSON
import Testing

/// Shortcuts that expect success (recording an issue, and going on, when the status is not the expected one).
extension APIClient {
    /// Creates a topic and expects 201.
    @discardableResult
    public func createTopic(_ name: String, partitions: Int = 1, config: String? = nil) async throws -> APIResponse {
        var body = #"{"name":"\#(name)","partitions":\#(partitions)"#
        if let config { body += #","config":\#(config)"# }
        body += "}"
        let response = try await post("/v1/topics", json: body)
        #expect(response.status == 201, "create topic \(name): \(response.text)")
        return response
    }

    /// Produces a JSON records body (`{"records": [...]}` built from the given record objects) and expects 200.
    @discardableResult
    public func produce(_ topic: String, records: [String], headers: [(name: String, value: String)] = [])
        async throws -> APIResponse
    {
        let body = #"{"records":[\#(records.joined(separator: ","))]}"#
        let response = try await post("/v1/topics/\(topic)/messages", json: body, headers: headers)
        #expect(response.status == 200, "produce to \(topic): \(response.text)")
        return response
    }

    /// Fetches a partition (query string without `?`) and expects 200.
    public func fetch(_ topic: String, partition: Int = 0, query: String = "") async throws -> APIResponse {
        let response = try await get(
            "/v1/topics/\(topic)/partitions/\(partition)/messages" + (query.isEmpty ? "" : "?" + query))
        #expect(response.status == 200, "fetch \(topic)/\(partition)?\(query): \(response.text)")
        return response
    }

    /// Joins a group and returns the member id (expects 201).
    public func join(_ group: String, body: String) async throws -> (memberID: String, response: APIResponse) {
        let response = try await post("/v1/groups/\(group)/members", json: body)
        #expect(response.status == 201, "join \(group): \(response.text)")
        return (try #require(response["member_id"].flatMap { try? $0.string }), response)
    }
}
