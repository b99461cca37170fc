import FerryAPITesting
import FerryJSON
import Testing

/// Errors as RFC 9457 problems (API.md "Errors"): every one is `application/problem+json` with its slug, the
/// same in process as over a socket.
@Suite("Problem responses")
struct ProblemAPITests {
    @Test(arguments: APITestMode.allCases)
    func badRequests_AreProblems(mode: APITestMode) async throws {
        try await withTestServer(mode) { _, api in
            expectProblem(try await api.post("/v1/topics", json: #"{"name":"#), 400, "invalid-json")
            expectProblem(try await api.post("/v1/topics", json: ""), 400, "invalid-json")
            try await api.createTopic("t")
            expectProblem(try await api.get("/v1/topics/t/partitions/0/messages?limit=0"), 400, "invalid-parameter")
            expectProblem(try await api.get("/v1/topics/t/partitions/x/messages"), 400, "invalid-parameter")
            let form = [(name: "Content-Type", value: "application/x-www-form-urlencoded")]
            let unsupported = try await api.post("/v1/topics", body: Array("name=t".utf8), headers: form)
            expectProblem(unsupported, 415, "unsupported-media-type")
            // curl -d sends a form type: the problem says how to fix the command.
            let detail = try #require(unsupported.json?["detail"]).string
            #expect(detail.contains("-H 'Content-Type: application/json'"), "\(detail)")
        }
    }

    @Test(arguments: APITestMode.allCases)
    func unknownRoutesAndMethods_Are404And405(mode: APITestMode) async throws {
        try await withTestServer(mode) { _, api in
            expectProblem(try await api.get("/nope"), 404, "not-found")
            expectProblem(try await api.get("/v1/topics/missing"), 404, "topic-not-found")
            expectProblem(try await api.get("/v1/topics/missing/partitions/0/messages"), 404, "topic-not-found")
            let wrong = try await api.request("PUT", "/v1/topics")
            expectProblem(wrong, 405, "method-not-allowed")
            let allowed = wrong.header("Allow")?.split(separator: ",").map { String($0.trimmingPrefix(" ")) } ?? []
            #expect(Set(allowed) == ["GET", "POST", "HEAD"])
        }
    }

    @Test func outOfRangeOffset_Is416_WithTheStoredRange() async throws {
        try await withTestServer(.inProcess) { _, api in
            try await api.produce("t", records: [#"{"value":1}"#])
            let response = try await api.get("/v1/topics/t/partitions/0/messages?offset=5")
            expectProblem(response, 416, "offset-out-of-range")
            #expect(response["start_offset"].int == 0 && response["end_offset"].int == 1)
        }
    }
}
