import FerryAPI
import FerryAPITesting
import FerryBroker
import FerryHTTP
import FerryJSON
import FerryServer
import FerryTesting
import Testing

/// Health endpoints, metrics, and the conventions every endpoint shares: problem bodies for 404/405 (with
/// `Allow`), 415 for non-JSON bodies on JSON endpoints, `X-Request-Id` on every response.
struct HealthAndProtocolTests {
    @Test func healthz_ReturnsStatusOK() async throws {
        try await withTestServer { _, api in
            let response = try await api.get("/healthz")
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            #expect(response.json == ["status": "ok"])
        }
    }

    @Test func readyz_Returns200_WhenRecovered() async throws {
        try await withTestServer { _, api in
            let response = try await api.get("/readyz")
            #expect(response.status == 200, "\(response.text)")
        }
    }

    @Test func readyz_Returns503_WhileShuttingDown() async throws {
        // Before start and after shutdown the in-process API reports not ready; the HTTP path is exercised
        // through a server whose API was marked not ready (as shutdown does first).
        try await withTestServer { server, api in
            server.server.api.setReady(false)
            let response = try await api.get("/readyz")
            expectProblem(response, 503, "unavailable")
            server.server.api.setReady(true)
            #expect(try await api.get("/readyz").status == 200)
        }
    }

    @Test func metrics_ReturnsPrometheusText_WithFerryPrefix() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("m", partitions: 2)
            try await api.produce("m", records: [#"{"value":1}"#])
            let response = try await api.get("/metrics")
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = response.text.split(separator: "\n")
            #expect(!lines.isEmpty)
            for line in lines where !line.hasPrefix("#") {
                #expect(line.hasPrefix("ferry_"), "metric line without ferry_ prefix: \(line)")
            }
            for line in lines where line.hasPrefix("# TYPE ") || line.hasPrefix("# HELP ") {
                #expect(line.dropFirst(7).hasPrefix("ferry_"), "\(line)")
            }
        }
    }

    @Test func unknownPath_Returns404NotFoundProblem() async throws {
        try await withTestServer { _, api in
            expectProblem(try await api.get("/nope"), 404, "not-found")
            expectProblem(try await api.get("/v1/topics/a/b/c/d/e"), 404, "not-found")
            expectProblem(try await api.post("/v2/topics", json: "{}"), 404, "not-found")
        }
    }

    @Test(arguments: [
        ("PUT", "/v1/topics", ["GET", "POST"]),
        ("DELETE", "/v1/topics", ["GET", "POST"]),
        ("POST", "/v1/topics/t", ["GET", "PATCH", "DELETE"]),
        ("PUT", "/v1/topics/t/messages", ["POST"]),
        ("POST", "/v1/topics/t/partitions/0/messages", ["GET"]),
        ("GET", "/v1/groups/g/members", ["POST"]),
        ("POST", "/healthz", ["GET"]),
    ])
    func wrongMethod_Returns405_WithAllow(method: String, path: String, allowed: [String]) async throws {
        try await withTestServer { _, api in
            let response = try await api.request(method, path, body: Array("{}".utf8))
            expectProblem(response, 405, "method-not-allowed")
            let allow = try #require(response.header("Allow"), "405 without Allow")
            let methods = Set(allow.split(separator: ",").map { $0.trimmingSpaces })
            for method in allowed { #expect(methods.contains(method), "Allow '\(allow)' lacks \(method)") }
            #expect(!methods.contains(method), "Allow '\(allow)' lists the refused method")
        }
    }

    @Test func everyResponse_CarriesRequestId_EchoedWhenSent() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("t")
            let responses = [
                try await api.get("/healthz"), try await api.get("/v1/topics"), try await api.get("/nope"),
                try await api.request("PUT", "/v1/topics"), try await api.get("/v1/topics/missing"),
                try await api.post("/v1/topics", json: "{"), try await api.fetch("t"),
                try await api.produce("t", records: [#"{"value":1}"#]), try await api.delete("/v1/topics/t"),
                try await api.get("/metrics"),
            ]
            var seen = Set<String>()
            for response in responses {
                let id = try #require(response.header("X-Request-Id"), "no X-Request-Id on \(response.status)")
                #expect(!id.isEmpty)
                #expect(seen.insert(id).inserted, "request id \(id) repeated")
            }
            let echoed = try await api.get("/healthz", headers: [("X-Request-Id", "itest-42")])
            #expect(echoed.header("X-Request-Id") == "itest-42")
            let echoedError = try await api.get("/v1/topics/missing", headers: [("X-Request-Id", "itest-43")])
            #expect(echoedError.status == 404)
            #expect(echoedError.header("X-Request-Id") == "itest-43")
        }
    }

    /// Every endpoint whose body is JSON answers 415 to a declared non-JSON content type.
    @Test(arguments: [
        ("POST", "/v1/topics"), ("PATCH", "/v1/topics/t"), ("POST", "/v1/groups/g/members"),
        ("POST", "/v1/groups/g/members/m/commit"), ("POST", "/v1/groups/g/offsets"),
    ])
    func jsonEndpoint_Returns415_ForNonJSONContentType(method: String, path: String) async throws {
        try await withTestServer { _, api in
            try await api.createTopic("t")
            for type in ["text/plain", "application/x-www-form-urlencoded", "application/octet-stream"] {
                let response = try await api.request(
                    method, path, body: Array(#"{"name":"x","topics":["t"]}"#.utf8), headers: [("Content-Type", type)])
                expectProblem(response, 415, "unsupported-media-type")
            }
        }
    }

    @Test func jsonEndpoint_ReadsMissingContentTypeAsJSON() async throws {
        try await withTestServer { server, api in
            let body = #"{"name":"plain"}"#
            let raw = try await rawExchange(
                port: server.port,
                request: "POST /v1/topics HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n"
                    + "Connection: close\r\n\r\n" + body)
            #expect(raw.status == 201, "\(raw)")
            #expect(try await api.get("/v1/topics/plain").status == 200)
            let charset = try await api.post(
                "/v1/topics", body: Array(#"{"name":"charset"}"#.utf8),
                headers: [("Content-Type", "application/json; charset=utf-8")])
            #expect(charset.status == 201, "\(charset.text)")
        }
    }

    @Test(arguments: ["{", "[1,", "nul", #"{"name": "a",}"#, "\u{FEFF}{}"])
    func jsonEndpoint_Returns400InvalidJSON_ForMalformedBody(body: String) async throws {
        try await withTestServer { _, api in
            expectProblem(try await api.post("/v1/topics", json: body), 400, "invalid-json")
        }
    }
}

extension Substring {
    var trimmingSpaces: String {
        var view = self
        while view.first == " " { view = view.dropFirst() }
        while view.last == " " { view = view.dropLast() }
        return String(view)
    }
}
