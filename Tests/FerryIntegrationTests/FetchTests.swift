import FerryAPI
import FerryAPITesting
import FerryJSON
import FerryServer
import Testing

/// `GET /v1/topics/{topic}/partitions/{p}/messages` without waiting (API.md "Fetch by offset").
struct FetchTests {
    /// Produces `count` raw 100-byte values ("m0000…") to partition 0 of `topic`, in one request.
    static func fill(_ api: APIClient, _ topic: String, count: Int) async throws {
        var body = ""
        for i in 0..<count {
            let head = "m" + String(repeating: "0", count: 4 - String(i).count) + String(i)
            body += head + String(repeating: ".", count: 95) + "\n"
        }
        let response = try await api.post(
            "/v1/topics/\(topic)/messages?split=lines&partition=0", body: Array(body.utf8),
            headers: [("Content-Type", "text/plain")])
        #expect(response.status == 200, "\(response.text)")
    }

    @Test func fetch_Defaults_StartOffsetAndLimit100() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("f")
            try await Self.fill(api, "f", count: 150)
            let response = try await api.fetch("f")
            #expect(Set(response.json?.keys ?? []) == ["messages", "next_offset", "start_offset", "end_offset"])
            #expect(response.messages.count == 100)
            #expect(response.messages.map { $0["offset"].int } == (0..<100).map { Int64($0) })
            #expect(response["next_offset"].int == 100)
            #expect(response["start_offset"].int == 0)
            #expect(response["end_offset"].int == 150)
            let rest = try await api.fetch("f", query: "offset=100")
            #expect(rest.messages.count == 50)
            #expect(rest.messages.first?["offset"].int == 100)
            #expect(rest["next_offset"].int == 150)
            let atEnd = try await api.fetch("f", query: "offset=150")
            #expect(atEnd.messages.isEmpty)
            #expect(atEnd["next_offset"].int == 150)
        }
    }

    @Test func fetch_LimitBounds() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("l")
            try await Self.fill(api, "l", count: 20)
            #expect(try await api.fetch("l", query: "limit=1").messages.count == 1)
            #expect(
                try await api.fetch("l", query: "limit=7&offset=3").messages.map { $0["offset"].int } == [
                    3, 4, 5, 6, 7, 8, 9,
                ])
            #expect(try await api.fetch("l", query: "limit=10000").messages.count == 20)
            for bad in ["0", "10001", "-1", "abc", "1.5", ""] {
                let response = try await api.get("/v1/topics/l/partitions/0/messages?limit=\(bad)")
                expectProblem(response, 400, "invalid-parameter")
                #expect(
                    response["detail"].str?.contains("limit") == true, "detail names the parameter: \(response.text)")
            }
        }
    }

    @Test func fetch_MaxBytesBounds_AndAtLeastOneMessage() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("b")
            try await Self.fill(api, "b", count: 10)
            // 100-byte values: 250 bytes hold two of them, not three.
            #expect(try await api.fetch("b", query: "max_bytes=250").messages.count == 2)
            // A message larger than max_bytes still comes back when it is the first.
            let one = try await api.fetch("b", query: "max_bytes=1")
            #expect(one.messages.count == 1)
            #expect(one["next_offset"].int == 1)
            #expect(try await api.fetch("b", query: "max_bytes=67108864").messages.count == 10)
            for bad in ["0", "67108865", "-5", "x"] {
                let response = try await api.get("/v1/topics/b/partitions/0/messages?max_bytes=\(bad)")
                expectProblem(response, 400, "invalid-parameter")
                #expect(response["detail"].str?.contains("max_bytes") == true, "\(response.text)")
            }
        }
    }

    @Test func fetch_WaitMsBounds() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("w")
            for bad in ["-1", "60001", "soon"] {
                let response = try await api.get("/v1/topics/w/partitions/0/messages?wait_ms=\(bad)")
                expectProblem(response, 400, "invalid-parameter")
                #expect(response["detail"].str?.contains("wait_ms") == true)
            }
        }
    }

    @Test func fetch_OffsetAboveEnd_Returns416WithRange() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("r")
            try await Self.fill(api, "r", count: 5)
            let response = try await api.get("/v1/topics/r/partitions/0/messages?offset=6")
            expectProblem(response, 416, "offset-out-of-range")
            #expect(response["start_offset"].int == 0)
            #expect(response["end_offset"].int == 5)
            for bad in ["-2", "x"] {
                expectProblem(
                    try await api.get("/v1/topics/r/partitions/0/messages?offset=\(bad)"), 400, "invalid-parameter")
            }
        }
    }

    @Test func fetch_OffsetMinusOne_MeansTheEnd() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("e")
            try await Self.fill(api, "e", count: 3)
            let response = try await api.fetch("e", query: "offset=-1")
            #expect(response.messages.isEmpty)
            #expect(response["next_offset"].int == 3)
            #expect(response["end_offset"].int == 3)
        }
    }

    @Test func fetch_Timestamp_StartsAtFirstMessageAtOrAfterIt() async throws {
        try await withTestServer { _, api in
            try await api.produce(
                "t",
                records: [
                    #"{"value":0,"timestamp":1000}"#, #"{"value":1,"timestamp":2000}"#,
                    #"{"value":2,"timestamp":2000}"#,
                    #"{"value":3,"timestamp":3000}"#,
                ])
            #expect(try await api.fetch("t", query: "timestamp=1500").messages.map { $0["offset"].int } == [1, 2, 3])
            #expect(try await api.fetch("t", query: "timestamp=2000").messages.first?["offset"].int == 1)
            #expect(try await api.fetch("t", query: "timestamp=0").messages.count == 4)
            let late = try await api.fetch("t", query: "timestamp=5000")
            #expect(late.messages.isEmpty, "no message at or after T: start at the end")
            #expect(late["next_offset"].int == 4)
            expectProblem(
                try await api.get("/v1/topics/t/partitions/0/messages?timestamp=abc"), 400, "invalid-parameter")
        }
    }

    @Test func fetch_OffsetBelowRetainedStart_Returns416_AndDefaultStartsThere() async throws {
        let configure: (inout FerryServer.Configuration) -> Void = { $0.retentionCheckIntervalMilliseconds = 100 }
        try await withTestServer(configure: configure) { _, api in
            try await api.createTopic("ret", config: #"{"segment_bytes":1024,"retention_bytes":1024}"#)
            // Separate requests: each is one batch, and only whole (closed) segments can be deleted.
            for _ in 0..<12 { try await Self.fill(api, "ret", count: 5) }
            var start: Int64 = 0
            for _ in 0..<100 where start == 0 {  // ≤ 10 s for retention to run
                start = try await api.get("/v1/topics/ret")["partitions"]?[0]?["start_offset"].int ?? 0
                if start == 0 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(start > 0, "retention never removed a segment")
            guard start > 0 else { return }
            // Retention keeps running meanwhile, so each response is checked against its own start_offset.
            let response = try await api.get("/v1/topics/ret/partitions/0/messages?offset=0")
            expectProblem(response, 416, "offset-out-of-range")
            #expect((response["start_offset"].int ?? 0) >= start)
            #expect(response["end_offset"].int == 60)
            let defaults = try await api.fetch("ret")
            #expect((defaults["start_offset"].int ?? 0) >= start)
            #expect(defaults.messages.first?["offset"].int == defaults["start_offset"].int)
        }
    }

    @Test func fetch_UnknownPartition_Returns404_BadPartition_Returns400() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("p", partitions: 2)
            expectProblem(try await api.get("/v1/topics/p/partitions/2/messages"), 404, "partition-not-found")
            expectProblem(try await api.get("/v1/topics/p/partitions/x/messages"), 400, "invalid-parameter")
        }
    }
}
