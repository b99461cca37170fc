import FerryAPITesting
import FerryJSON
import Testing

/// Queues (API.md "Queues"): receive leases messages, ack settles them, status counts them.
@Suite("Queues API")
struct QueueAPITests {
    @Test(arguments: APITestMode.allCases)
    func receiveThenAck_SettlesEveryMessage(mode: APITestMode) async throws {
        try await withTestServer(mode) { _, api in
            try await api.produce("jobs", records: (0..<3).map { #"{"value":\#($0)}"# })
            let created = try await api.post("/v1/topics/jobs/queues", json: #"{"name":"w","start":"earliest"}"#)
            #expect(created.status == 201, "\(created.text)")
            let path = "/v1/topics/jobs/queues/w"

            let received = try await api.post(path + "/receive", json: #"{"max_messages":10}"#)
            #expect(received.status == 200, "\(received.text)")
            #expect(received.messages.map { $0["value"].int } == [0, 1, 2])
            #expect(received.messages.allSatisfy { $0["delivery_count"].int == 1 })
            let leased = try await api.get(path)
            #expect(leased["leased"].int == 3 && leased["available"].int == 0)

            let receipts = received.messages.compactMap { $0["receipt"].str }
            let list = receipts.map { #""\#($0)""# }.joined(separator: ",")
            let acked = try await api.post(path + "/ack", json: #"{"receipts":[\#(list)]}"#)
            #expect(acked.status == 200, "\(acked.text)")
            #expect(acked["results"].list?.map { $0["status"].str } == ["ok", "ok", "ok"])
            let status = try await api.get(path)
            #expect(status["acked"].int == 3 && status["leased"].int == 0 && status["available"].int == 0)
            #expect(try await api.post(path + "/receive", json: "{}").messages.isEmpty)
        }
    }

    @Test func receive_WaitsForAProduce() async throws {
        try await withTestServer(.inProcess) { server, api in
            try await api.createTopic("jobs")
            _ = try await api.post("/v1/topics/jobs/queues", json: #"{"name":"w"}"#)
            async let received = api.post("/v1/topics/jobs/queues/w/receive", json: #"{"wait_ms":60000}"#)
            #expect(try await server.waitUntilHeld(1) == 1)
            try await api.produce("jobs", records: [#"{"value":"late"}"#])
            #expect(try await received.messages.map { $0["value"].str } == ["late"])
        }
    }

    @Test func ack_OfAnUnknownQueue_Is404() async throws {
        try await withTestServer(.inProcess) { _, api in
            try await api.createTopic("jobs")
            let acked = try await api.post("/v1/topics/jobs/queues/none/ack", json: #"{"receipts":["x"]}"#)
            expectProblem(acked, 404, "queue-not-found")
        }
    }
}
