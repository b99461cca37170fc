import FerryAPITesting
import Testing

/// Polls a status endpoint until `condition` holds (every 20 ms, at most `attempts` times); returns the last.
@discardableResult
func waitForStatus(
    _ client: APIClient, _ path: String, attempts: Int = 1500, sourceLocation: SourceLocation = #_sourceLocation,
    until condition: (APIResponse) -> Bool
) async throws -> APIResponse {
    var last = try await client.get(path)
    for _ in 0..<attempts {
        if condition(last) { return last }
        try await Task.sleep(for: .milliseconds(20))
        last = try await client.get(path)
    }
    let reached = condition(last)
    #expect(reached, "status condition not reached: \(last.text)", sourceLocation: sourceLocation)
    return last
}
