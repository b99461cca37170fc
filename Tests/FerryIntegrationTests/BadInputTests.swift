import FerryAPITesting
import FerryJSON
import Testing

/// Request values that once crashed the server (a force-unwrap on a `null` member), and the `invalid-json` rule:
/// a body that is not JSON text is 400 `invalid-json`, a well-formed body with a wrong record `invalid-record`.
struct BadInputTests {
    static let nullTargets = [#"{"offset": null}"#, #"{"timestamp": null}"#, #"{"offset": null, "partition": 0}"#]

    @Test(arguments: nullTargets)
    func groupOffsetReset_NullTarget_Is400NamingTheField(_ target: String) async throws {
        try await withTestServer { _, api in
            try await api.createTopic("orders")
            let response = try await api.post(
                "/v1/groups/billing/offsets", json: #"{"topic": "orders", "to": \#(target)}"#)
            expectProblem(response, 400, "invalid-parameter")
            let field = target.contains("offset") ? "offset" : "timestamp"
            #expect(response["detail"].str?.contains(field) == true, "detail: \(response.text)")
            #expect(try await api.get("/healthz").status == 200)
        }
    }

    @Test(arguments: nullTargets)
    func subscriptionSeek_NullTarget_Is400_EvenForAMissingSubscription(_ target: String) async throws {
        try await withTestServer { _, api in
            try await api.createTopic("orders")
            let missing = try await api.post("/v1/topics/orders/subscriptions/none/seek", json: #"{"to": \#(target)}"#)
            expectProblem(missing, 400, "invalid-parameter")
            let created = try await api.post(
                "/v1/topics/orders/subscriptions", json: #"{"name": "s", "url": "http://127.0.0.1:9/hook"}"#)
            #expect(created.status == 201)
            let seek = try await api.post("/v1/topics/orders/subscriptions/s/seek", json: #"{"to": \#(target)}"#)
            expectProblem(seek, 400, "invalid-parameter")
            #expect(try await api.get("/healthz").status == 200)
        }
    }

    @Test(arguments: [
        "not json at all", #"{"records": [{"value": 1}"#, #"{"records": [{"value": 1},]}"#,
        #"{"records": [{"value": 1}]} x"#,
        #"{"records": [{"value": 1, "partition": "zero"}, {"#, "",
    ])
    func produce_BodyThatIsNotJSON_IsInvalidJSON(_ body: String) async throws {
        try await withTestServer { _, api in
            try await api.createTopic("t")
            let response = try await api.post("/v1/topics/t/messages", json: body)
            expectProblem(response, 400, "invalid-json")
            #expect(try await api.get("/v1/topics/t")["partitions"]?[0]?["end_offset"].int == 0, "nothing appended")
        }
    }

    @Test func produce_WellFormedBodyWithABadRecord_IsInvalidRecordWithItsIndex() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("t")
            let response = try await api.post(
                "/v1/topics/t/messages", json: #"{"records": [{"value": 1}, {"value": 2, "partition": "zero"}]}"#)
            expectProblem(response, 400, "invalid-record")
            #expect(response["index"].int == 1)
            let ndjson = try await api.post(
                "/v1/topics/t/messages", body: Array("1\n{\"a\":\n".utf8),
                headers: [("Content-Type", "application/x-ndjson")])
            expectProblem(ndjson, 400, "invalid-record")
            #expect(ndjson["index"].int == 1)
        }
    }

    @Test(arguments: ["/v1/topics", "/v1/groups/g/members", "/v1/topics/t/queues", "/v1/topics/t/subscriptions"])
    func jsonEndpoints_TruncatedOrTrailingCommaBody_IsInvalidJSON(_ path: String) async throws {
        try await withTestServer { _, api in
            try await api.createTopic("t")
            expectProblem(try await api.post(path, json: #"{"name": "x""#), 400, "invalid-json")
            expectProblem(try await api.post(path, json: #"{"name": "x",}"#), 400, "invalid-json")
            expectProblem(try await api.post(path, json: "not json"), 400, "invalid-json")
        }
    }
}

/// A topic's `segment_bytes` raised while its active segment is mapped at the old size: the next produce that
/// does not fit rolls the segment (it once failed a precondition and killed the server).
struct SegmentSizeChangeTests {
    @Test func raisingSegmentBytes_ThenProducing_RollsInsteadOfCrashing() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("grow", config: #"{"segment_bytes": 4096}"#)
            let record = #"{"value":"\#(String(repeating: "a", count: 1000))"}"#
            let records = #"{"records":[\#(Array(repeating: record, count: 3).joined(separator: ","))]}"#
            #expect(try await api.post("/v1/topics/grow/messages", json: records).status == 200)
            let patched = try await api.patch("/v1/topics/grow", json: #"{"config": {"segment_bytes": 1048576}}"#)
            #expect(patched.status == 200)
            for _ in 0..<5 {
                #expect(try await api.post("/v1/topics/grow/messages", json: records).status == 200)
            }
            let described = try await api.get("/v1/topics/grow")
            #expect(described["partitions"]?[0]?["end_offset"].int == 18)
            #expect(try await api.fetch("grow", partition: 0, query: "limit=100").messages.count == 18)
        }
    }
}
