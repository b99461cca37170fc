import FerryAPI
import FerryAPITesting
import FerryHTTP
import FerryJSON
import FerryLog
import FerryServer
import FerryTesting
import Testing

/// Produce and fetch (API.md "Produce", "Fetch by offset"): JSON batches, long-polls answered by a produce from
/// another request, and a Server-Sent Events stream read while it is open.
@Suite("Messages API")
struct MessageAPITests {
    @Test(arguments: APITestMode.allCases)
    func produce_ThenFetch_ReturnsTheMessagesInOrder(mode: APITestMode) async throws {
        try await withTestServer(mode) { _, api in
            try await api.createTopic("events", partitions: 2)
            let produced = try await api.produce(
                "events", records: [#"{"key":"a","value":{"n":1},"partition":1}"#, #"{"value":"two","partition":1}"#])
            #expect(produced.offsets.map { $0["offset"].int } == [0, 1])
            #expect(produced.offsets.map { $0["partition"].int } == [1, 1])

            let fetched = try await api.fetch("events", partition: 1, query: "offset=0")
            #expect(fetched.messages.map { $0["offset"].int } == [0, 1])
            #expect(fetched.messages.first?["key"].str == "a" && fetched.messages.first?["value"] == ["n": 1])
            #expect(fetched.messages.last?["value"].str == "two")
            #expect(fetched["next_offset"].int == 2 && fetched["end_offset"].int == 2)
            #expect(try await api.fetch("events", partition: 0).messages.isEmpty)
        }
    }

    @Test func longPoll_IsAnsweredByAProduce() async throws {
        try await withTestServer(.inProcess) { server, api in
            try await api.createTopic("lp")
            async let polled = api.get("/v1/topics/lp/partitions/0/messages?offset=0&wait_ms=60000")
            #expect(try await server.waitUntilHeld(1) == 1)
            try await api.produce("lp", records: [#"{"value":42}"#])
            let response = try await polled
            #expect(response.status == 200)
            #expect(response.messages.map { $0["value"].int } == [42])
            #expect(server.server.api.heldRequestCount == 0)
        }
    }

    @Test func durableProduce_IsAnsweredFromTheFlusherThread() async throws {
        try await withTestServer(.inProcess, flushPolicy: .always) { _, api in
            let produced = try await api.produce("d", records: [#"{"value":1}"#, #"{"value":2}"#])
            #expect(produced.offsets.count == 2)
            #expect(try await api.fetch("d").messages.count == 2)
        }
    }

    @Test func serverSentEvents_StreamMessages_UntilTheClientLeaves() async throws {
        try await withTestServer(.inProcess) { server, api in
            try await api.produce("sse", records: [#"{"value":1}"#, #"{"value":2}"#])
            let stream = server.runner.start(
                HTTPRequest(
                    method: .GET, target: "/v1/topics/sse/partitions/0/messages?offset=0",
                    headers: ["Accept": "text/event-stream"]))
            let first = try await stream.wait { $0.text.components("event: message") == 2 }
            #expect(first.status == .ok && first.headers["Content-Type"] == "text/event-stream")
            #expect(first.isStreamed && !first.isComplete)
            #expect(first.text.hasPrefix("id: 0\n"))
            try await api.produce("sse", records: [#"{"value":3}"#])
            let more = try await stream.wait { $0.text.components("event: message") == 3 }
            #expect(more.text.contains("id: 2\n"))
            #expect(server.server.api.openStreamCount == 1)
            stream.close()
            #expect(server.server.api.openStreamCount == 0)
        }
    }
}

extension String {
    /// How many times `needle` occurs.
    fileprivate func components(_ needle: String) -> Int {
        split(separator: needle, omittingEmptySubsequences: false).count - 1
    }
}
