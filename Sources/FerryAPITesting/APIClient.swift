import FerryCurl
import FerryHTTP
import FerryTesting

/// A client for one Ferry API, the same for both ways a test can reach it: over a socket with libcurl
/// (``init(port:)``, requests run on the client's `curl_multi` thread) or in process through the server's
/// router (``init(inProcess:)``, see `InProcessRunner`). Awaiting a request never blocks a cooperative thread.
/// `Sendable`.
public final class APIClient: Sendable {
    private enum Transport: Sendable {
        case live(baseURL: String, curl: CurlHTTPClient)
        case inProcess(InProcessRunner)
    }

    private let transport: Transport

    /// A libcurl client for `http://127.0.0.1:<port>`.
    public init(port: Int) {
        transport = .live(baseURL: "http://127.0.0.1:\(port)", curl: CurlHTTPClient(maxIdleHandles: 16))
    }

    /// A client that runs every request through `runner`, in this process.
    public init(inProcess runner: InProcessRunner) {
        transport = .inProcess(runner)
    }

    /// The base URL of a live client (`http://127.0.0.1:<port>`), for tests that talk to the socket another
    /// way. Traps in process: there is no URL.
    public var baseURL: String {
        guard case .live(let baseURL, _) = transport else { preconditionFailure("an in-process client has no URL") }
        return baseURL
    }

    /// True for a client that runs requests in process.
    public var isInProcess: Bool {
        if case .inProcess = transport { return true }
        return false
    }

    /// Sends any request; `body` as given, `headers` in order (libcurl adds its own `Host`, `Accept` and framing
    /// fields; in process there are none). `timeout` bounds the whole exchange.
    public func request(
        _ method: String, _ path: String, body: [UInt8] = [], headers: [(name: String, value: String)] = [],
        timeout: Duration = .seconds(30)
    ) async throws -> APIResponse {
        switch transport {
        case .live(let baseURL, let curl):
            let request = CurlRequest(
                method: method, url: baseURL + path, headers: headers, body: body, timeout: timeout)
            return APIResponse(try await curl.send(request))
        case .inProcess(let runner):
            let request = HTTPRequest(
                method: HTTPMethod(method), target: path, headers: HTTPHeaders(headers.map { ($0.name, $0.value) }),
                body: body)
            return APIResponse(try await runner.send(request, timeout: timeout))
        }
    }

    private static let jsonType = [(name: "Content-Type", value: "application/json")]

    public func get(_ path: String, headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(30))
        async throws -> APIResponse
    {
        try await request("GET", path, headers: headers, timeout: timeout)
    }

    public func delete(_ path: String, headers: [(name: String, value: String)] = []) async throws -> APIResponse {
        try await request("DELETE", path, headers: headers)
    }

    /// POST with a JSON text body (`Content-Type: application/json`).
    public func post(_ path: String, json: String, headers: [(name: String, value: String)] = []) async throws
        -> APIResponse
    {
        try await request("POST", path, body: Array(json.utf8), headers: Self.jsonType + headers)
    }

    /// POST with raw bytes and exactly the given headers (no Content-Type added).
    public func post(_ path: String, body: [UInt8], headers: [(name: String, value: String)] = []) async throws
        -> APIResponse
    {
        try await request("POST", path, body: body, headers: headers)
    }

    public func patch(_ path: String, json: String, headers: [(name: String, value: String)] = []) async throws
        -> APIResponse
    {
        try await request("PATCH", path, body: Array(json.utf8), headers: Self.jsonType + headers)
    }
}
