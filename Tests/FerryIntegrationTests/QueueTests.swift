import FerryAPITesting
import FerryJSON
import Synchronization
import Testing

/// What concurrent receivers hold and have done.
final class Tally: Sendable {
    let held = Mutex<Set<Int64>>([])
    let done = Mutex<[Int64: Int]>([:])
    let overlaps = Atomic<Int>(0)
}

/// Queues over a real in-process server (API.md "Queues").
struct QueueTests {
    /// Produces `count` records `{"value": i}` (key `k<i>`, header `h: v<i>`) in batches of 500.
    static func produce(_ client: APIClient, _ topic: String, count: Int, partition: Int? = nil) async throws {
        var start = 0
        while start < count {
            let end = min(start + 500, count)
            let records = (start..<end).map { i in
                #"{"key":"k\#(i)","value":\#(i),"headers":{"h":"v\#(i)"}"#
                    + (partition.map { #","partition":\#($0)}"# } ?? "}")
            }
            try await client.produce(topic, records: records)
            start = end
        }
    }

    static func receive(_ client: APIClient, _ path: String, _ body: String = "{}") async throws -> [JSONValue] {
        let response = try await client.post(path + "/receive", json: body)
        #expect(response.status == 200, "receive: \(response.text)")
        return response.messages
    }

    static func settle(_ client: APIClient, _ path: String, _ action: String, _ receipts: [String], extra: String = "")
        async throws -> [String]
    {
        let list = receipts.map { #""\#($0)""# }.joined(separator: ",")
        let response = try await client.post(path + "/" + action, json: #"{"receipts":[\#(list)]\#(extra)}"#)
        #expect(response.status == 200, "\(action): \(response.text)")
        let results = response["results"].list ?? []
        #expect(results.map { $0["receipt"].str } == receipts.map { Optional($0) })
        return results.compactMap { $0["status"].str }
    }

    static func status(_ client: APIClient, _ path: String) async throws -> APIResponse {
        let response = try await client.get(path)
        #expect(response.status == 200, "status: \(response.text)")
        return response
    }

    @Test(arguments: [APITestMode.live, .kafka])
    func concurrentReceivers_OnOnePartition_ProcessEveryMessageExactlyOnce(mode: APITestMode) async throws {
        try await withTestServer(mode) { _, client in
            let total = 1000
            try await client.createTopic("jobs")
            try await Self.produce(client, "jobs", count: total)
            let created = try await client.post("/v1/topics/jobs/queues", json: #"{"name":"w","start":"earliest"}"#)
            #expect(created.status == 201, "\(created.text)")
            let path = "/v1/topics/jobs/queues/w"
            let tally = Tally()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        var idle = 0
                        for _ in 0..<2000 where idle < 3 {  // bounded
                            let messages = try await Self.receive(
                                client, path, #"{"max_messages":10,"lease_ms":60000}"#)
                            guard !messages.isEmpty else {
                                idle += 1
                                continue
                            }
                            idle = 0
                            let offsets = messages.compactMap { $0["offset"].int }
                            tally.held.withLock { held in
                                for offset in offsets where !held.insert(offset).inserted {
                                    tally.overlaps.add(1, ordering: .relaxed)
                                }
                            }
                            let statuses = try await Self.settle(
                                client, path, "ack", messages.compactMap { $0["receipt"].str })
                            #expect(statuses.allSatisfy { $0 == "ok" })
                            tally.held.withLock { held in for offset in offsets { held.remove(offset) } }
                            tally.done.withLock { done in for offset in offsets { done[offset, default: 0] += 1 } }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(tally.overlaps.load(ordering: .relaxed) == 0)
            let counts = tally.done.withLock { $0 }
            #expect(counts.count == total)
            #expect(counts.values.allSatisfy { $0 == 1 })
            let status = try await Self.status(client, path)
            #expect(status["acked"].int == Int64(total))
            #expect(status["available"].int == 0 && status["leased"].int == 0)
            #expect(status["partitions"].list?.first?["floor_offset"].int == Int64(total))
        }
    }

    @Test func leaseExpiry_RedeliversWithDeliveryCount2_AndOldReceiptIsStale() async throws {
        try await withTestServer { _, client in
            try await client.createTopic("t")
            _ = try await client.post("/v1/topics/t/queues", json: #"{"name":"q","start":"earliest"}"#)
            try await Self.produce(client, "t", count: 1)
            let path = "/v1/topics/t/queues/q"
            let first = try await Self.receive(client, path, #"{"lease_ms":100}"#)
            #expect(first.first?["delivery_count"].int == 1)
            let second = try await Self.receive(client, path, #"{"wait_ms":10000,"lease_ms":30000}"#)
            #expect(second.count == 1)
            #expect(second.first?["delivery_count"].int == 2)
            #expect(second.first?["value"].int == 0 && second.first?["key"].str == "k0")
            let stale = try await Self.settle(
                client, path, "ack", [first.first?["receipt"].str ?? "", "not-a-receipt"])
            #expect(stale == ["stale", "stale"])
            let renewed = try await Self.settle(
                client, path, "renew", [second.first?["receipt"].str ?? ""], extra: #","lease_ms":60000"#)
            #expect(renewed == ["ok"])
            #expect(try await Self.settle(client, path, "ack", [second.first?["receipt"].str ?? ""]) == ["ok"])
        }
    }

    @Test func release_WithDelay_RedeliversAfterTheDelay() async throws {
        try await withTestServer { _, client in
            try await client.createTopic("t")
            _ = try await client.post("/v1/topics/t/queues", json: #"{"name":"q","start":"earliest"}"#)
            try await Self.produce(client, "t", count: 1)
            let path = "/v1/topics/t/queues/q"
            let first = try await Self.receive(client, path)
            let released = try await Self.settle(
                client, path, "release", [first.first?["receipt"].str ?? ""], extra: #","delay_ms":300"#)
            #expect(released == ["ok"])
            let status = try await Self.status(client, path)
            #expect(status["available"].int == 1 && status["leased"].int == 0)
            let again = try await Self.receive(client, path, #"{"wait_ms":10000}"#)
            #expect(again.first?["delivery_count"].int == 2)
        }
    }

    @Test(arguments: [APITestMode.live, .kafka])
    func rejectAndMaxDeliveries_GoToDeadLetterTopicWithOriginHeaders(mode: APITestMode) async throws {
        try await withTestServer(mode) { _, client in
            try await client.createTopic("t")
            let created = try await client.post(
                "/v1/topics/t/queues", json: #"{"name":"q","start":"earliest","max_deliveries":1}"#)
            #expect(created["dead_letter_topic"].str == "t.q.dlq")
            try await Self.produce(client, "t", count: 2)
            let path = "/v1/topics/t/queues/q"
            // Offset 0 is rejected under a long lease; offset 1's short lease ends after its only delivery.
            let got = try await Self.receive(client, path, #"{"max_messages":1,"lease_ms":600000}"#)
            #expect(got.first?["offset"].int == 0)
            #expect(try await Self.receive(client, path, #"{"max_messages":1,"lease_ms":100}"#).count == 1)
            #expect(try await Self.settle(client, path, "reject", [got.first?["receipt"].str ?? ""]) == ["ok"])
            var status = try await Self.status(client, path)
            for _ in 0..<100 where status["dead_lettered"].int != 2 {  // the second waits for its lease to end
                try await Task.sleep(for: .milliseconds(50))
                status = try await Self.status(client, path)
            }
            #expect(status["dead_lettered"].int == 2 && status["available"].int == 0 && status["leased"].int == 0)
            #expect(try await Self.receive(client, path).isEmpty)
            let letters = try await client.fetch("t.q.dlq").messages
            #expect(letters.count == 2)
            let byOffset = Dictionary(
                uniqueKeysWithValues: letters.map { ($0["headers"]?["ferry-origin-offset"].str ?? "", $0) })
            let rejected = try #require(byOffset["0"])
            #expect(rejected["key"].str == "k0" && rejected["value"].int == 0)
            #expect(rejected["headers"]?["h"].str == "v0")
            #expect(rejected["headers"]?["ferry-origin-topic"].str == "t")
            #expect(rejected["headers"]?["ferry-origin-partition"].str == "0")
            #expect(rejected["headers"]?["ferry-delivery-count"].str == "1")
            #expect(byOffset["1"]?["headers"]?["ferry-delivery-count"].str == "1")
        }
    }

    @Test(arguments: [APITestMode.live, .kafka])
    func status_CountsExactly_AcrossPartitions(mode: APITestMode) async throws {
        try await withTestServer(mode) { _, client in
            try await client.createTopic("t", partitions: 2)
            try await Self.produce(client, "t", count: 6, partition: 0)
            try await Self.produce(client, "t", count: 4, partition: 1)
            _ = try await client.post("/v1/topics/t/queues", json: #"{"name":"q","start":"earliest"}"#)
            let path = "/v1/topics/t/queues/q"
            let got = try await Self.receive(client, path, #"{"max_messages":4}"#)
            #expect(Set(got.compactMap { $0["partition"].int }) == [0, 1])
            let receipts = got.compactMap { $0["receipt"].str }
            #expect(try await Self.settle(client, path, "ack", Array(receipts[0..<2])) == ["ok", "ok"])
            #expect(try await Self.settle(client, path, "release", [receipts[2]]) == ["ok"])
            let status = try await Self.status(client, path)
            #expect(status["available"].int == 7 && status["leased"].int == 1)
            #expect(status["acked"].int == 2 && status["dead_lettered"].int == 0)
            #expect(status["max_deliveries"].int == 5 && status["name"].str == "q" && status["topic"].str == "t")
            #expect(status["partitions"].list?.count == 2)
            let list = try await client.get("/v1/topics/t/queues")
            #expect(list["queues"].list?.count == 1)
        }
    }

    @Test func errors_FollowTheContract() async throws {
        try await withTestServer { _, client in
            expectProblem(
                try await client.post("/v1/topics/none/queues", json: #"{"name":"q"}"#), 404, "topic-not-found")
            try await client.createTopic("t")
            let path = "/v1/topics/t/queues"
            expectProblem(try await client.post(path + "/nope/receive", json: "{}"), 404, "queue-not-found")
            #expect(try await client.post(path, json: #"{"name":"q"}"#).status == 201)
            expectProblem(try await client.post(path, json: #"{"name":"q"}"#), 409, "queue-exists")
            expectProblem(
                try await client.post(path, json: #"{"name":"r","max_deliveries":0}"#), 400, "invalid-parameter")
            expectProblem(
                try await client.post(path, json: #"{"name":"r","start":"middle"}"#), 400, "invalid-parameter")
            expectProblem(try await client.post(path, json: #"{"name":"r/x"}"#), 400, "invalid-parameter")
            expectProblem(
                try await client.post(path, json: #"{"name":"r","dead_letter_topic":"__x"}"#), 400, "invalid-topic-name"
            )
            expectProblem(
                try await client.post(path + "/q/receive", json: #"{"max_messages":1001}"#), 400, "invalid-parameter")
            expectProblem(
                try await client.post(path + "/q/receive", json: #"{"lease_ms":99}"#), 400, "invalid-parameter")
            expectProblem(try await client.post(path + "/q/ack", json: #"{}"#), 400, "invalid-parameter")
            expectProblem(try await client.post(path + "/q/ack", json: #"{"receipts":[1]}"#), 400, "invalid-parameter")
            expectProblem(
                try await client.post(
                    path + "/q/receive", body: Array("{}".utf8), headers: [("Content-Type", "text/plain")]),
                415, "unsupported-media-type")
            let empty = try await client.post(path + "/q/receive", json: "")
            #expect(empty.status == 200, "\(empty.text)")
            #expect(try await client.delete(path + "/q").status == 204)
            expectProblem(try await client.get(path + "/q"), 404, "queue-not-found")
            #expect(try await client.post(path, json: #"{"name":"q"}"#).status == 201)
            #expect(try await client.delete("/v1/topics/t").status == 204)
            try await client.createTopic("t")
            expectProblem(try await client.get(path + "/q"), 404, "queue-not-found")
        }
    }

    @Test(arguments: [APITestMode.live, .kafka])
    func receive_LongPoll_AnswersWhenAMessageIsProduced(mode: APITestMode) async throws {
        try await withTestServer(mode) { _, client in
            try await client.createTopic("t")
            _ = try await client.post("/v1/topics/t/queues", json: #"{"name":"q"}"#)
            let path = "/v1/topics/t/queues/q"
            async let waiting = Self.receive(client, path, #"{"wait_ms":20000}"#)
            try await Task.sleep(for: .milliseconds(200))
            try await Self.produce(client, "t", count: 1)
            let got = try await waiting
            #expect(got.count == 1 && got.first?["delivery_count"].int == 1)
        }
    }
}
