import FerryAPI
import FerryAPITesting
import FerryDelivery
import FerryJSON
import FerryServer
import FerryTesting
import Synchronization
import Testing

/// Webhook delivery end to end: a real server pushing to a real receiver on 127.0.0.1, with a short backoff.
struct SubscriptionDeliveryTests {
    static func fast(_ configuration: inout FerryServer.Configuration) {
        configuration.webhooks.backoffBase = .milliseconds(20)
        configuration.webhooks.backoffCap = .milliseconds(80)
    }

    static func subscribe(_ client: APIClient, _ topic: String, _ body: String) async throws {
        let response = try await client.post("/v1/topics/\(topic)/subscriptions", json: body)
        #expect(response.status == 201, "\(response.text)")
    }

    /// Every `partition/offset` delivered at least once, over all deliveries that were answered 2xx is not
    /// known to the receiver: callers pass those they answered 200.
    static func positions(_ deliveries: [TestHTTPReceiver.Received]) -> [String] { deliveries.flatMap(\.positions) }

    @Test(arguments: [APITestMode.live, .kafka])
    func delivery_InOffsetOrderPerPartition_WithFetchRepresentationAndStandardHeaders(mode: APITestMode) async throws {
        try await withReceiver { receiver in
            try await withTestServer(mode, configure: Self.fast) { _, client in
                try await client.createTopic("t", partitions: 2)
                let records = (0..<20).map { #"{"key":"k\#($0)","value":{"n":\#($0)},"headers":{"h":"v\#($0)"}}"# }
                try await client.produce("t", records: records)
                try await Self.subscribe(
                    client, "t",
                    #"{"name":"s","url":"\#(receiver.url())","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw","batch_size":3,"start":"earliest","headers":{"X-Extra":"yes"}}"#
                )
                let all = try await receiver.wait { Self.positions($0).count >= 20 }
                for delivery in all {
                    #expect(delivery.json?["subscription"].str == "s" && (1...3).contains(delivery.messages.count))
                    #expect(delivery.header("webhook-signature")?.hasPrefix("v1,") == true)
                    #expect(delivery.header("webhook-timestamp").flatMap { Int64($0) } != nil)
                    #expect(delivery.header("X-Extra") == "yes" && delivery.path == "/hook")
                    #expect(delivery.header("Content-Type")?.hasPrefix("application/json") == true)
                }
                #expect(Set(all.compactMap(\.id)).count == all.count, "webhook-id unique per batch")
                for p in 0..<2 {
                    let offsets = all.flatMap(\.messages).filter { $0["partition"].int == Int64(p) }.compactMap {
                        $0["offset"].int
                    }
                    #expect(offsets == offsets.sorted() && Set(offsets).count == offsets.count)
                    let fetched = try await client.fetch("t", partition: p, query: "max_messages=100").messages
                    #expect(offsets.count == fetched.count)
                    let pushed = all.flatMap(\.messages).filter { $0["partition"].int == Int64(p) }
                    #expect(pushed == fetched, "same representation as fetch")
                }
                let status = try await waitForStatus(client, "/v1/topics/t/subscriptions/s") {
                    $0["delivered"].int == 20
                }
                #expect(status["lag"].int == 0 && status["state"].str == "active" && status["last_status"].int == 200)
                #expect(status["last_delivery_at"].int != nil && status["last_error"]?.isNull == true)
                #expect(status["failed_attempts"].int == 0)

                // New messages are pushed as they arrive (start: latest for a second subscription).
                try await Self.subscribe(client, "t", #"{"name":"late","url":"\#(receiver.url("/late"))"}"#)
                try await client.produce("t", records: [#"{"key":"k1","value":"new"}"#])
                let late = try await receiver.wait { $0.contains { $0.path == "/late" } }.filter { $0.path == "/late" }
                #expect(late.flatMap(\.messages).map { $0["value"].str } == ["new"])
            }
        }
    }

    @Test func failingPartition_DoesNotStallTheOthers() async throws {
        try await withReceiver { receiver in
            receiver.setAnswer { delivery in
                delivery.messages.contains { $0["partition"].int == 0 } ? .status(500) : .status(204)
            }
            // 100 attempts with backoff up to 300 ms: partition 0 keeps failing (no dead-lettering) for the whole test.
            try await withTestServer(configure: {
                $0.webhooks.backoffBase = .milliseconds(20)
                $0.webhooks.backoffCap = .milliseconds(300)
            }) { _, client in
                try await client.createTopic("t", partitions: 2)
                try await Self.subscribe(client, "t", #"{"name":"s","url":"\#(receiver.url())","max_attempts":100}"#)
                try await client.produce(
                    "t", records: (0..<6).map { #"{"value":\#($0),"partition":\#($0 % 2)}"# })
                try await receiver.wait { deliveries in
                    deliveries.flatMap(\.messages).filter { $0["partition"].int == 1 }.count >= 3
                }
                let failing = try await waitForStatus(client, "/v1/topics/t/subscriptions/s") {
                    $0["delivered"].int == 3 && $0["state"].str == "failing" && ($0["failed_attempts"].int ?? 0) >= 2
                }
                #expect(failing["last_status"].int == 500 && failing["last_error"].str?.isEmpty == false)
                #expect(failing["lag"].int == 3)
                // Only partition 0's first message is retried (in order: nothing after it was sent).
                let partition0 = receiver.received.flatMap(\.messages).filter { $0["partition"].int == 0 }
                #expect(Set(partition0.compactMap { $0["offset"].int }) == [0])
                receiver.setAnswer { _ in .status(200) }
                let healed = try await waitForStatus(client, "/v1/topics/t/subscriptions/s") {
                    $0["delivered"].int == 6
                }
                #expect(
                    healed["state"].str == "active" && healed["lag"].int == 0 && healed["last_error"]?.isNull == true)
            }
        }
    }

    @Test(arguments: [APITestMode.live, .kafka])
    func retries_After500AndTimeout_KeepTheWebhookID(mode: APITestMode) async throws {
        try await withReceiver { receiver in
            // 1st attempt: 500; 2nd: no answer (the 300 ms timeout ends it); then 200.
            let seen = Atomic<Int>(0)
            receiver.setAnswer { _ in
                switch seen.add(1, ordering: .relaxed).newValue {
                case 1: .status(500)
                case 2: .hang
                default: .status(200)
                }
            }
            try await withTestServer(mode, configure: Self.fast) { _, client in
                try await client.createTopic("t")
                try await Self.subscribe(
                    client, "t", #"{"name":"s","url":"\#(receiver.url())","timeout_ms":300,"max_attempts":10}"#)
                try await client.produce("t", records: [#"{"value":"x"}"#])
                let status = try await waitForStatus(client, "/v1/topics/t/subscriptions/s") {
                    $0["delivered"].int == 1
                }
                #expect(status["state"].str == "active" && status["failed_attempts"].int == 2)
                #expect(status["last_status"].int == 200 && status["last_error"]?.isNull == true)
                let all = receiver.received
                #expect(all.count == 3)
                #expect(Set(all.compactMap(\.id)).count == 1, "one batch, one webhook-id: \(all.map(\.id))")
                #expect(all.allSatisfy { $0.positions == ["0/0"] })
            }
        }
    }

    @Test(arguments: [APITestMode.live, .kafka])
    func deadLetter_AfterMaxAttempts_KeepsMessageAndAddsOriginHeaders(mode: APITestMode) async throws {
        try await withReceiver { receiver in
            receiver.setAnswer { delivery in
                delivery.messages.contains { $0["key"].str == "bad" } ? .status(500) : .status(200)
            }
            try await withTestServer(mode, configure: Self.fast) { _, client in
                try await client.createTopic("t")
                try await Self.subscribe(client, "t", #"{"name":"s","url":"\#(receiver.url())","max_attempts":2}"#)
                try await client.produce(
                    "t",
                    records: [#"{"key":"bad","value":{"a":1},"headers":{"h":"1"}}"#, #"{"key":"good","value":"fine"}"#])
                let status = try await waitForStatus(client, "/v1/topics/t/subscriptions/s") { $0["lag"].int == 0 }
                #expect(status["delivered"].int == 1 && status["failed_attempts"].int == 2)
                let bad = receiver.received.filter { $0.messages.contains { $0["key"].str == "bad" } }
                #expect(bad.count == 2)
                let dead = try await client.fetch("t.s.dlq").messages
                #expect(dead.count == 1)
                let letter = try #require(dead.first)
                #expect(letter["key"].str == "bad" && letter["value"]?["a"].int == 1)
                let headers = letter["headers"]
                #expect(headers?["h"].str == "1" && headers?["ferry-origin-topic"].str == "t")
                #expect(headers?["ferry-origin-partition"].str == "0" && headers?["ferry-origin-offset"].str == "0")
                #expect(headers?["ferry-last-error"].str?.contains("500") == true)
                #expect(receiver.received.flatMap(\.messages).contains { $0["key"].str == "good" })
                let metrics = try await client.get("/metrics").text
                for (name, value) in [
                    ("ferry_webhook_attempts_total", "3"), ("ferry_webhook_failures_total", "2"),
                    ("ferry_webhook_deliveries_total", "1"), ("ferry_webhook_dead_lettered_total", "1"),
                ] {
                    let line = metrics.split(separator: "\n").first {
                        $0.hasPrefix(name + "{") && $0.contains(#"subscription="s""#)
                    }
                    #expect(line?.hasSuffix(" " + value) == true, "\(name): \(line ?? "missing")")
                }
                #expect(metrics.contains("ferry_webhook_delivery_duration_seconds_count{"))
            }
        }
    }

    @Test func gone_DisablesUntilResumed() async throws {
        try await withReceiver { receiver in
            receiver.setAnswer { _ in .status(410) }
            try await withTestServer(configure: Self.fast) { _, client in
                try await client.createTopic("t")
                try await Self.subscribe(client, "t", #"{"name":"s","url":"\#(receiver.url())"}"#)
                try await client.produce("t", records: [#"{"value":1}"#])
                let disabled = try await waitForStatus(client, "/v1/topics/t/subscriptions/s") {
                    $0["state"].str == "disabled"
                }
                #expect(disabled["last_status"].int == 410 && disabled["lag"].int == 1)
                let attempts = receiver.received.count
                #expect(attempts == 1)
                receiver.setAnswer { _ in .status(200) }
                #expect(
                    try await client.patch("/v1/topics/t/subscriptions/s", json: #"{"paused":false}"#).status == 200)
                let resumed = try await waitForStatus(client, "/v1/topics/t/subscriptions/s") {
                    $0["delivered"].int == 1
                }
                #expect(resumed["state"].str == "active")
            }
        }
    }

    @Test func retryAfter_OnTooManyRequests_SetsTheDelay() async throws {
        try await withReceiver { receiver in
            receiver.setAnswer { delivery in .status(429, headers: [("Retry-After", "1")]) }
            // Retry-After is capped at the backoff cap: keep the cap above it, the base tiny.
            try await withTestServer(configure: {
                $0.webhooks.backoffBase = .milliseconds(20)
                $0.webhooks.backoffCap = .seconds(5)
            }) { _, client in
                try await client.createTopic("t")
                try await Self.subscribe(client, "t", #"{"name":"s","url":"\#(receiver.url())"}"#)
                try await client.produce("t", records: [#"{"value":1}"#])
                try await receiver.wait { $0.count >= 1 }
                receiver.setAnswer { _ in .status(200) }
                let both = try await receiver.wait { $0.count >= 2 }
                // The backoff alone would retry after ≤ 20 ms; Retry-After: 1 holds the retry for a second.
                #expect(both[1].arrival - both[0].arrival >= .milliseconds(900))
                try await waitForStatus(client, "/v1/topics/t/subscriptions/s") { $0["delivered"].int == 1 }
            }
        }
    }

    @Test func pauseResume_AndPatchedURL_TakeEffect() async throws {
        try await withReceiver { receiver in
            try await withTestServer(configure: Self.fast) { _, client in
                try await client.createTopic("t")
                let path = "/v1/topics/t/subscriptions/s"
                try await Self.subscribe(client, "t", #"{"name":"s","url":"\#(receiver.url("/a"))"}"#)
                #expect(try await client.patch(path, json: #"{"paused":true}"#)["state"].str == "paused")
                try await client.produce("t", records: [#"{"value":1}"#, #"{"value":2}"#])
                let paused = try await client.get(path)
                #expect(paused["state"].str == "paused" && paused["lag"].int == 2 && paused["delivered"].int == 0)
                let resumed = try await client.patch(
                    path, json: #"{"paused":false,"url":"\#(receiver.url("/b"))","batch_size":10}"#)
                #expect(resumed["state"].str == "active")
                try await waitForStatus(client, path) { $0["delivered"].int == 2 }
                #expect(receiver.received.allSatisfy { $0.path == "/b" } && !receiver.received.isEmpty)
            }
        }
    }

    @Test func filter_SkipsNonMatchingMessages_AndCountsThemDelivered() async throws {
        try await withReceiver { receiver in
            try await withTestServer(configure: Self.fast) { _, client in
                try await client.createTopic("t")
                try await Self.subscribe(
                    client, "t",
                    #"{"name":"s","url":"\#(receiver.url())","batch_size":10,"filter":{"headers":{"type":"created"}}}"#)
                try await client.produce(
                    "t",
                    records: [
                        #"{"value":1,"headers":{"type":"created"}}"#, #"{"value":2,"headers":{"type":"deleted"}}"#,
                        #"{"value":3}"#, #"{"value":4,"headers":{"type":"created","x":"y"}}"#,
                    ])
                try await waitForStatus(client, "/v1/topics/t/subscriptions/s") {
                    $0["delivered"].int == 4 && $0["lag"].int == 0
                }
                #expect(receiver.received.flatMap(\.messages).compactMap { $0["value"].int } == [1, 4])
            }
        }
    }

    @Test func delete_StopsDeliveryAtOnce() async throws {
        try await withReceiver { receiver in
            receiver.setAnswer { delivery in delivery.path == "/old" ? .hang : .status(200) }
            try await withTestServer(configure: Self.fast) { _, client in
                try await client.createTopic("t")
                try await Self.subscribe(
                    client, "t", #"{"name":"old","url":"\#(receiver.url("/old"))","timeout_ms":300000}"#)
                try await client.produce("t", records: [#"{"value":1}"#])
                try await receiver.wait { $0.contains { $0.path == "/old" } }
                #expect(try await client.delete("/v1/topics/t/subscriptions/old").status == 204)
                try await Self.subscribe(client, "t", #"{"name":"probe","url":"\#(receiver.url("/probe"))"}"#)
                try await client.produce("t", records: [#"{"value":2}"#])
                try await receiver.wait { $0.contains { $0.path == "/probe" } }
                #expect(receiver.received.filter { $0.path == "/old" }.count == 1)
            }
        }
    }

    @Test func seek_ReplaysFromEarliestOffsetAndTimestamp() async throws {
        try await withReceiver { receiver in
            try await withTestServer(configure: Self.fast) { _, client in
                try await client.createTopic("t")
                try await client.produce(
                    "t",
                    records: [
                        #"{"value":0,"timestamp":1000}"#, #"{"value":1,"timestamp":2000}"#,
                        #"{"value":2,"timestamp":3000}"#,
                    ])
                let path = "/v1/topics/t/subscriptions/s"
                try await Self.subscribe(
                    client, "t", #"{"name":"s","url":"\#(receiver.url())","batch_size":10,"start":"earliest"}"#)
                try await receiver.wait { Self.positions($0).count >= 3 }
                for (target, expected) in [
                    (#""earliest""#, 3), (#"{"offset":1,"partition":0}"#, 2), (#"{"timestamp":3000}"#, 1),
                ] {
                    try await waitForStatus(client, path) { $0["lag"].int == 0 }
                    let before = Self.positions(receiver.received).count
                    let moved = try await client.post(path + "/seek", json: #"{"to":\#(target)}"#)
                    #expect(moved.status == 200, "\(moved.text)")
                    let after = try await receiver.wait { Self.positions($0).count >= before + expected }
                    let replayed = Array(Self.positions(after)[before...])
                    #expect(replayed == (3 - expected..<3).map { "0/\($0)" }, "\(target)")
                }
            }
        }
    }
}
