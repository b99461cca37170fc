import FerryAPI
import FerryAPITesting
import FerryCurl
import FerryJSON
import FerryServer
import Testing

/// `wait_ms` long-polls on the partition fetch (API.md "Fetch by offset"): held without a thread each, answered
/// soon after an append, or with an empty list when the wait ends.
struct LongPollTests {
    @Test(arguments: [APITestMode.live, .kafka])
    func heldFetch_AnswersSoonAfterProduce_WithTheMessage(mode: APITestMode) async throws {
        try await withTestServer(mode) { server, api in
            try await api.createTopic("lp")
            let clock = ContinuousClock()
            let started = clock.now
            async let polled = api.get("/v1/topics/lp/partitions/0/messages?offset=0&wait_ms=60000")
            #expect(try await server.waitUntilHeld(1) == 1)
            try await api.produce("lp", records: [#"{"key":"k","value":{"n":1}}"#])
            let response = try await polled
            let elapsed = clock.now - started
            #expect(response.status == 200)
            #expect(response.messages.count == 1)
            #expect(response.messages.first?["value"] == ["n": 1])
            #expect(response.messages.first?["offset"].int == 0)
            #expect(response["next_offset"].int == 1)
            // Behaviour, not performance: it was answered by the append, not by the 60 s deadline (the margin is
            // wide: a full parallel test run on 2 loaded cores has taken 25 s here).
            #expect(elapsed < .seconds(40), "a held fetch waited \(elapsed) although a message arrived")
        }
    }

    @Test(arguments: [APITestMode.live, .kafka])
    func heldFetchAtEnd_IgnoresEarlierMessages_AndWakesOnTheNextOne(mode: APITestMode) async throws {
        try await withTestServer(mode) { server, api in
            try await api.produce("lp", records: [#"{"value":1}"#, #"{"value":2}"#])
            async let polled = api.get("/v1/topics/lp/partitions/0/messages?offset=-1&wait_ms=20000")
            #expect(try await server.waitUntilHeld(1) == 1)
            try await api.produce("lp", records: [#"{"value":3}"#])
            let response = try await polled
            #expect(response.status == 200)
            #expect(response.messages.map { $0["offset"].int } == [2])
            #expect(response.messages.first?["value"] == 3)
        }
    }

    @Test func heldFetch_WhenDataExists_AnswersAtOnce() async throws {
        try await withTestServer { server, api in
            try await api.produce("lp", records: [#"{"value":1}"#])
            let response = try await api.fetch("lp", query: "offset=0&wait_ms=60000")
            #expect(response.messages.count == 1)
            #expect(server.server.api.heldRequestCount == 0)
        }
    }

    @Test func emptyLongPoll_Returns200WithEmptyList_AfterWaitMs() async throws {
        try await withTestServer { server, api in
            try await api.createTopic("quiet")
            let clock = ContinuousClock()
            let started = clock.now
            let response = try await api.fetch("quiet", query: "offset=0&wait_ms=400")
            let elapsed = clock.now - started
            #expect(response.messages.isEmpty)
            #expect(response["next_offset"].int == 0)
            #expect(response["end_offset"].int == 0)
            #expect(elapsed >= .milliseconds(350), "returned after \(elapsed), before wait_ms")
            #expect(server.server.api.heldRequestCount == 0)
        }
    }

    @Test func twoThousandHeldLongPolls_AllCompleteWithTheMessage_AfterOneProduce() async throws {
        let count = 2000
        try await withTestServer { server, api in
            try await api.createTopic("many")
            let driver = try CurlMultiDriver(maxIdleHandles: 0)
            defer { driver.shutdown() }
            let request = CurlRequest(
                url: api.baseURL + "/v1/topics/many/partitions/0/messages?offset=0&wait_ms=60000",
                timeout: .seconds(90))
            try await withThrowingTaskGroup(of: APIResponse.self) { group in
                for _ in 0..<count {
                    group.addTask { APIResponse(try await driver.send(request)) }
                }
                // Generous: on a loaded 2-core machine 2 000 debug-build connections take a while to arrive.
                let held = try await server.waitUntilHeld(count, seconds: 50)
                #expect(held == count, "only \(held) of \(count) long-polls were held")
                try await api.produce("many", records: [#"{"value":"wake"}"#])
                var answered = 0
                var withMessage = 0
                for try await response in group {
                    answered += 1
                    if response.status == 200, response.messages.count == 1, response.messages.first?["value"] == "wake"
                    {
                        withMessage += 1
                    }
                }
                #expect(answered == count)
                #expect(withMessage == count, "\(count - withMessage) long-polls did not get the message")
            }
            #expect(server.server.api.heldRequestCount == 0)
        }
    }

    @Test func memberFetch_LongPoll_WakesOnProduce() async throws {
        try await withTestServer { server, api in
            try await api.createTopic("glp", partitions: 2)
            let (member, _) = try await api.join("g", body: #"{"topics":["glp"],"auto_offset_reset":"earliest"}"#)
            let clock = ContinuousClock()
            let started = clock.now
            async let polled = api.get("/v1/groups/g/members/\(member)/messages?wait_ms=60000")
            #expect(try await server.waitUntilHeld(1) == 1)
            try await api.produce("glp", records: [#"{"value":"hello","partition":1}"#])
            let response = try await polled
            #expect(response.status == 200, "\(response.text)")
            #expect(response.messages.map { $0["value"] } == ["hello"])
            #expect(response.messages.first?["partition"].int == 1)
            #expect(clock.now - started < .seconds(40), "answered by the append, not by the 60 s deadline")
        }
    }

    @Test func memberFetch_EmptyLongPoll_ReturnsEmptyAfterWaitMs() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("gq")
            let (member, _) = try await api.join("g", body: #"{"topics":["gq"]}"#)
            let clock = ContinuousClock()
            let started = clock.now
            let response = try await api.get("/v1/groups/g/members/\(member)/messages?wait_ms=400")
            #expect(response.status == 200)
            #expect(response.messages.isEmpty)
            #expect(response["assignments"].list?.count == 1)
            #expect(clock.now - started >= .milliseconds(350))
        }
    }
}
