import Dispatch
import FerryAPI
import FerryAPITesting
import FerryCurl
import FerryJSON
import FerryServer
import FerryTesting
import Synchronization
import Testing

/// `Accept: text/event-stream` on the partition fetch (API.md "Fetch by offset").
struct ServerSentEventsTests {
    struct Event: Sendable {
        var id: String?
        var event: String?
        var data: String
        var json: JSONValue? { try? JSONValue.parse(data) }
    }

    struct Stream: Sendable {
        var status: Int
        var contentType: String?
        var events: [Event]
    }

    /// Reads `count` events from an SSE stream (blocking; run on a Dispatch thread). `afterEvent` runs after
    /// each complete event with the number received so far (it may produce more messages).
    static func readEvents(
        url: String, headers: [(name: String, value: String)], count: Int,
        afterEvent: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws -> Stream {
        let client = CurlHTTPClient()
        var buffer = ""
        var events: [Event] = []
        let request = CurlRequest(
            url: url, headers: [("Accept", "text/event-stream")] + headers, timeout: .seconds(20))
        let response = try client.stream(request) { bytes in
            buffer += String(decoding: bytes, as: UTF8.self)
            while let end = buffer.range(of: "\n\n") {
                let block = buffer[buffer.startIndex..<end.lowerBound]
                buffer = String(buffer[end.upperBound...])
                var event = Event(data: "")
                var isComment = true
                for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                    if line.hasPrefix(":") { continue }
                    isComment = false
                    if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
                    if line.hasPrefix("event: ") { event.event = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { event.data += String(line.dropFirst(6)) }
                }
                if isComment { continue }
                events.append(event)
                afterEvent(events.count)
                if events.count >= count { return false }
            }
            return true
        }
        return Stream(status: response.status, contentType: response.header("Content-Type"), events: events)
    }

    @Test(arguments: [APITestMode.live, .kafka])
    func stream_SendsEachMessageAsEvent_AndFollowsTheLog(mode: APITestMode) async throws {
        try await withTestServer(mode) { server, api in
            try await api.createTopic("sse", partitions: 2)
            try await api.produce(
                "sse", records: (0..<3).map { #"{"key":"k\#($0)","value":{"n":\#($0)},"partition":1}"# })
            let url = api.baseURL + "/v1/topics/sse/partitions/1/messages?offset=0"
            let producer = CurlHTTPClient()
            let port = server.port
            let stream = try await onDispatchThread {
                try Self.readEvents(url: url, headers: [], count: 5) { received in
                    guard received == 3 else { return }
                    // Appended while the stream is open: must arrive on it.
                    _ = try? producer.send(
                        CurlRequest(
                            method: "POST", url: "http://127.0.0.1:\(port)/v1/topics/sse/messages",
                            headers: [("Content-Type", "application/json")],
                            body: Array(
                                #"{"records":[{"value":{"n":3},"partition":1},{"value":{"n":4},"partition":1}]}"#.utf8))
                    )
                }
            }
            #expect(stream.status == 200)
            #expect(stream.contentType?.hasPrefix("text/event-stream") == true)
            #expect(stream.events.count == 5)
            for (index, event) in stream.events.enumerated() {
                #expect(event.id == String(index))
                #expect(event.event == "message")
                let message = try #require(event.json, "data is message JSON: \(event.data)")
                #expect(message["offset"].int == Int64(index))
                #expect(message["partition"].int == 1)
                #expect(message["topic"].str == "sse")
                #expect(message["value"]?["n"].int == Int64(index))
            }
            #expect(stream.events[0].json?["key"] == "k0")
        }
    }

    /// Four producers on their own connections (so, on a two-loop server, usually some on the other loop than
    /// the stream: their appends write the events to the stream's socket and look for more right there) send
    /// single messages at once; the stream gets every one, once, in offset order.
    @Test func stream_DeliversEveryMessageOnce_InOrder_WhileManyConnectionsProduce() async throws {
        try await withTestServer { server, api in
            try await api.createTopic("busy", partitions: 1)
            try await api.produce("busy", records: [#"{"value":{"p":-1,"n":0}}"#])
            let url = api.baseURL + "/v1/topics/busy/partitions/0/messages?offset=0"
            let port = server.port
            let (producers, perProducer) = (4, 30)
            let stream = try await onDispatchThread {
                try Self.readEvents(url: url, headers: [], count: 1 + producers * perProducer) { received in
                    guard received == 1 else { return }
                    for producer in 0..<producers {
                        DispatchQueue.global().async {
                            let client = CurlHTTPClient()
                            for number in 0..<perProducer {
                                _ = try? client.send(
                                    CurlRequest(
                                        method: "POST", url: "http://127.0.0.1:\(port)/v1/topics/busy/messages",
                                        headers: [("Content-Type", "application/json")],
                                        body: Array(#"{"records":[{"value":{"p":\#(producer),"n":\#(number)}}]}"#.utf8))
                                )
                            }
                        }
                    }
                }
            }
            #expect(stream.events.map(\.id) == (0...(producers * perProducer)).map { String($0) })
            for producer in 0..<producers {
                let numbers = stream.events.compactMap { event -> Int64? in
                    guard let value = event.json?["value"], value["p"].int == Int64(producer) else { return nil }
                    return value["n"].int
                }
                #expect(numbers == (0..<Int64(perProducer)).map { $0 })
            }
        }
    }

    @Test(arguments: [APITestMode.live, .kafka])
    func stream_LastEventID_ResumesAfterIt_AndWinsOverOffset(mode: APITestMode) async throws {
        try await withTestServer(mode) { _, api in
            try await api.produce("sse", records: (0..<6).map { #"{"value":\#($0)}"# })
            let url = api.baseURL + "/v1/topics/sse/partitions/0/messages?offset=0"
            let stream = try await onDispatchThread {
                try Self.readEvents(url: url, headers: [("Last-Event-ID", "2")], count: 3)
            }
            #expect(stream.status == 200)
            #expect(stream.events.map(\.id) == ["3", "4", "5"])
            #expect(stream.events.map { $0.json?["value"] } == [3, 4, 5])
        }
    }

    @Test func stream_FromOffset_StartsThere() async throws {
        try await withTestServer { _, api in
            try await api.produce("sse", records: (0..<4).map { #"{"value":\#($0)}"# })
            let url = api.baseURL + "/v1/topics/sse/partitions/0/messages?offset=2"
            let stream = try await onDispatchThread { try Self.readEvents(url: url, headers: [], count: 2) }
            #expect(stream.events.map(\.id) == ["2", "3"])
        }
    }

    @Test func stream_SendsKeepAliveComment_WhenIdle_AndIsReleasedOnDisconnect() async throws {
        try await withTestServer { server, api in
            try await api.createTopic("idle")
            let url = api.baseURL + "/v1/topics/idle/partitions/0/messages"
            // Waits for the first comment line (API.md: one every 15 s without messages); bounded by 40 s.
            let (status, comment) = try await onDispatchThread { () throws -> (Int, String?) in
                var text = ""
                var comment: String?
                let response = try CurlHTTPClient().stream(
                    CurlRequest(url: url, headers: [("Accept", "text/event-stream")], timeout: .seconds(40))
                ) { bytes in
                    text += String(decoding: bytes, as: UTF8.self)
                    comment = text.split(separator: "\n").first { $0.hasPrefix(":") }.map(String.init)
                    return comment == nil
                }
                return (response.status, comment)
            }
            #expect(status == 200)
            #expect(comment != nil, "no keep-alive comment within 40 s")
            // The client went away: the server stops following the partition.
            var held = server.server.api.heldRequestCount
            for _ in 0..<100 where held > 0 {  // ≤ 10 s
                try await Task.sleep(for: .milliseconds(100))
                held = server.server.api.heldRequestCount
            }
            #expect(held == 0, "the stream is still held after the client disconnected")
        }
    }

    @Test(arguments: [APITestMode.live, .kafka])
    func stream_FromOffsetOutOfRange_Returns416(mode: APITestMode) async throws {
        try await withTestServer(mode) { _, api in
            try await api.produce("sse", records: [#"{"value":1}"#])
            let response = try await api.get(
                "/v1/topics/sse/partitions/0/messages?offset=5", headers: [("Accept", "text/event-stream")])
            expectProblem(response, 416, "offset-out-of-range")
            #expect(response["end_offset"].int == 1)
        }
    }

    @Test func stream_OnMissingTopic_Returns404Problem() async throws {
        try await withTestServer { _, api in
            let response = try await api.get(
                "/v1/topics/none/partitions/0/messages", headers: [("Accept", "text/event-stream")])
            expectProblem(response, 404, "topic-not-found")
        }
    }
}
