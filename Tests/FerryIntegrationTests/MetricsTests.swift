import FerryAPITesting
import FerryJSON
import FerryLog
import Testing

/// `GET /metrics` (API.md "Health and metrics"): Prometheus text that parses, counters and gauges that follow
/// real operations, route patterns as labels, bounded label values, one registry per server.
struct MetricsTests {
    static func scrape(_ api: APIClient) async throws -> PrometheusText {
        let response = try await api.get("/metrics")
        #expect(response.status == 200)
        let metrics = PrometheusText(response.text)
        #expect(metrics.problems.isEmpty, "\(metrics.problems)")
        return metrics
    }

    @Test func metrics_ServesPrometheusText_WithHelpAndTypeForEveryFamily() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("m", partitions: 2)
            try await api.produce("m", records: [#"{"value":1}"#])
            let response = try await api.get("/metrics")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            let metrics = PrometheusText(response.text)
            #expect(metrics.problems.isEmpty, "\(metrics.problems)")
            #expect(!metrics.samples.isEmpty)
            for (name, type) in metrics.types {
                #expect(name.hasPrefix("ferry_"), "\(name)")
                #expect(["counter", "gauge", "histogram"].contains(type), "\(name) \(type)")
                #expect(metrics.help[name]?.isEmpty == false, "no HELP for \(name)")
                if type == "counter" { #expect(name.hasSuffix("_total"), "counter \(name) without _total") }
            }
            for family in [
                "ferry_http_requests_total", "ferry_http_request_duration_seconds", "ferry_http_open_connections",
                "ferry_http_received_bytes_total", "ferry_http_sent_bytes_total", "ferry_long_polls_held",
                "ferry_sse_streams_open", "ferry_topics", "ferry_partition_end_offset", "ferry_partition_segments",
                "ferry_topic_produced_messages_total", "ferry_process_resident_memory_bytes",
                "ferry_process_open_fds", "ferry_build_info", "ferry_uptime_seconds",
            ] {
                #expect(metrics.types[family] != nil, "missing \(family)")
            }
            #expect(metrics.value("ferry_topics") == 1)
            #expect((metrics.value("ferry_process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect((metrics.value("ferry_process_open_fds") ?? 0) > 3)
            #expect(metrics.value("ferry_http_open_connections") ?? 0 >= 1, "the scrape's own connection")
        }
    }

    @Test func topicCounters_AndPartitionGauges_FollowProduceAndFetch() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("m", partitions: 2)
            // Values as stored: `"abc"` is 5 bytes of JSON, `12` 2 bytes; keys count too.
            try await api.produce(
                "m", records: [#"{"value":"abc","partition":0}"#, #"{"key":"kk","value":12,"partition":0}"#])
            try await api.produce("m", records: [#"{"value":1,"partition":1}"#])
            _ = try await api.fetch("m", partition: 0)
            let metrics = try await Self.scrape(api)
            #expect(metrics.value("ferry_topic_produced_messages_total", ["topic": "m"]) == 3)
            #expect(metrics.value("ferry_topic_produced_bytes_total", ["topic": "m"]) == Double(5 + 2 + 2 + 1))
            #expect(metrics.value("ferry_topic_fetched_messages_total", ["topic": "m"]) == 2)
            #expect(metrics.value("ferry_topic_fetched_bytes_total", ["topic": "m"]) == Double(5 + 2 + 2))
            #expect(metrics.value("ferry_partition_end_offset", ["topic": "m", "partition": "0"]) == 2)
            #expect(metrics.value("ferry_partition_end_offset", ["topic": "m", "partition": "1"]) == 1)
            #expect(metrics.value("ferry_partition_start_offset", ["topic": "m", "partition": "0"]) == 0)
            #expect(metrics.value("ferry_partition_messages", ["topic": "m", "partition": "0"]) == 2)
            #expect(metrics.value("ferry_partition_segments", ["topic": "m", "partition": "0"]) == 1)
            #expect((metrics.value("ferry_partition_bytes", ["topic": "m", "partition": "0"]) ?? 0) > 0)
            // Internal topics are not exported.
            #expect(metrics.samples.allSatisfy { !($0.labels["topic"] ?? "").hasPrefix("__") })

            _ = try await api.fetch("m", partition: 0)
            let again = try await Self.scrape(api)
            #expect(again.value("ferry_topic_fetched_messages_total", ["topic": "m"]) == 4)
        }
    }

    @Test func httpRequests_AreLabelledByRoutePattern_MethodAndStatus() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("orders")
            try await api.produce("orders", records: [#"{"value":1}"#])
            try await api.produce("orders", records: [#"{"value":2}"#])
            _ = try await api.fetch("orders")
            expectProblem(try await api.get("/v1/topics/missing"), 404, "topic-not-found")
            let metrics = try await Self.scrape(api)
            let produce = ["route": "/v1/topics/{topic}/messages", "method": "POST", "status": "200"]
            #expect(metrics.value("ferry_http_requests_total", produce) == 2)
            let fetch = [
                "route": "/v1/topics/{topic}/partitions/{partition}/messages", "method": "GET", "status": "200",
            ]
            #expect(metrics.value("ferry_http_requests_total", fetch) == 1)
            #expect(metrics.value("ferry_http_requests_total", ["route": "/v1/topics/{topic}", "status": "404"]) == 1)
            #expect(
                metrics.value("ferry_http_requests_total", ["route": "/v1/topics", "method": "POST", "status": "201"])
                    == 1)
            // No raw path anywhere in a label.
            for sample in metrics.samples where sample.name.hasPrefix("ferry_http_") {
                for value in sample.labels.values {
                    #expect(!value.contains("orders") && !value.contains("missing"), "\(sample)")
                }
            }
            // The duration histogram: cumulative buckets ending at +Inf = count.
            let route = ["route": "/v1/topics/{topic}/messages"]
            let buckets = metrics.samples("ferry_http_request_duration_seconds_bucket", route)
            #expect(buckets.count > 5)
            let ordered = buckets.sorted { Double($0.labels["le"]!)! < Double($1.labels["le"]!)! }
            #expect(zip(ordered, ordered.dropFirst()).allSatisfy { $0.value <= $1.value }, "buckets not cumulative")
            #expect(ordered.last?.labels["le"] == "+Inf")
            #expect(ordered.last?.value == 2)
            #expect(metrics.value("ferry_http_request_duration_seconds_count", route) == 2)
            #expect((metrics.value("ferry_http_request_duration_seconds_sum", route) ?? -1) > 0)
        }
    }

    @Test func unknownPaths_ShareOneSeries_NotOnePerPath() async throws {
        try await withTestServer { _, api in
            _ = try await Self.scrape(api)  // so that /metrics' own series exist before the baseline
            let before = try await Self.scrape(api)
            for i in 0..<1000 {
                let response = try await api.get("/nope/\(i)")
                #expect(response.status == 404)
            }
            let response = try await api.request("BREW", "/coffee/\(UInt32.random(in: 0...1000))")
            #expect(response.status == 404)
            let after = try await Self.scrape(api)
            let requestSeries = after.samples("ferry_http_requests_total")
            #expect(requestSeries.count <= before.samples("ferry_http_requests_total").count + 3)
            let unmatched = ["route": "unmatched", "method": "GET", "status": "404"]
            #expect(after.value("ferry_http_requests_total", unmatched) == 1000)
            #expect(after.value("ferry_http_requests_total", ["route": "unmatched", "method": "other"]) == 1)
            #expect(
                after.samples("ferry_http_request_duration_seconds_count").count
                    <= before.samples("ferry_http_request_duration_seconds_count").count + 1)
        }
    }

    @Test func groupLag_FollowsProduceAndCommit() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("d", partitions: 2)
            try await api.produce("d", records: (0..<6).map { #"{"value":\#($0),"partition":\#($0 % 2)}"# })
            let (member, _) = try await api.join("g", body: #"{"topics":["d"],"auto_offset_reset":"earliest"}"#)
            let metrics = try await Self.scrape(api)
            #expect(metrics.value("ferry_consumer_groups") == 1)
            #expect(metrics.value("ferry_consumer_group_members", ["group": "g"]) == 1)
            #expect(metrics.value("ferry_consumer_group_lag", ["group": "g", "topic": "d", "partition": "0"]) == 3)
            #expect(metrics.value("ferry_consumer_group_lag", ["group": "g", "topic": "d", "partition": "1"]) == 3)
            #expect(metrics.samples("ferry_consumer_group_committed_offset").isEmpty)

            let commit = try await api.post(
                "/v1/groups/g/members/\(member)/commit", json: #"{"offsets":[{"topic":"d","partition":0,"offset":2}]}"#)
            #expect(commit.status == 204)
            try await api.produce("d", records: [#"{"value":9,"partition":1}"#])
            let after = try await Self.scrape(api)
            #expect(after.value("ferry_consumer_group_lag", ["group": "g", "topic": "d", "partition": "0"]) == 1)
            #expect(after.value("ferry_consumer_group_lag", ["group": "g", "topic": "d", "partition": "1"]) == 4)
            #expect(
                after.value("ferry_consumer_group_committed_offset", ["group": "g", "topic": "d", "partition": "0"])
                    == 2)
        }
    }

    @Test func queueGauges_FollowReceiveAndAck() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("jobs")
            try await api.produce("jobs", records: (0..<5).map { #"{"value":\#($0)}"# })
            let created = try await api.post("/v1/topics/jobs/queues", json: #"{"name":"w","start":"earliest"}"#)
            #expect(created.status == 201, "\(created.text)")
            let received = try await api.post("/v1/topics/jobs/queues/w/receive", json: #"{"max_messages":2}"#)
            let receipts = received.messages.compactMap { $0["receipt"].str }
            #expect(receipts.count == 2)
            let acked = try await api.post("/v1/topics/jobs/queues/w/ack", json: #"{"receipts":["\#(receipts[0])"]}"#)
            #expect(acked.status == 200)
            let metrics = try await Self.scrape(api)
            let queue = ["topic": "jobs", "queue": "w"]
            #expect(metrics.value("ferry_queue_messages_available", queue) == 3)
            #expect(metrics.value("ferry_queue_messages_leased", queue) == 1)
            #expect(metrics.value("ferry_queue_messages_acked_total", queue) == 1)
            #expect(metrics.value("ferry_queue_messages_dead_lettered_total", queue) == 0)
            #expect(metrics.value("ferry_topic_fetched_messages_total", ["topic": "jobs"]) ?? 0 >= 2)
        }
    }

    @Test func deletedTopic_SeriesDisappear() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("gone", partitions: 3)
            try await api.produce("gone", records: [#"{"value":1}"#])
            let before = try await Self.scrape(api)
            #expect(before.samples("ferry_partition_end_offset", ["topic": "gone"]).count == 3)
            #expect(try await api.delete("/v1/topics/gone").status == 204)
            let after = try await Self.scrape(api)
            #expect(after.samples.allSatisfy { $0.labels["topic"] != "gone" })
            #expect(after.value("ferry_topics") == 0)
        }
    }

    @Test func fsyncHistogram_CountsFlushes_WithFsyncAlways() async throws {
        try await withTestServer(flushPolicy: .always) { _, api in
            try await api.produce("durable", records: [#"{"value":1}"#])
            let metrics = try await Self.scrape(api)
            #expect(metrics.types["ferry_fsync_duration_seconds"] == "histogram")
            #expect((metrics.value("ferry_fsync_duration_seconds_count") ?? 0) >= 1)
        }
    }

    @Test func twoServers_InOneProcess_KeepSeparateMetrics() async throws {
        try await withTestServer { _, first in
            try await withTestServer { _, second in
                try await first.produce("only-first", records: [#"{"value":1}"#, #"{"value":2}"#])
                let a = try await Self.scrape(first)
                let b = try await Self.scrape(second)
                #expect(a.value("ferry_topic_produced_messages_total", ["topic": "only-first"]) == 2)
                #expect(b.samples.allSatisfy { $0.labels["topic"] != "only-first" })
                let produce = ["route": "/v1/topics/{topic}/messages", "method": "POST"]
                #expect(a.value("ferry_http_requests_total", produce) == 1)
                #expect(b.value("ferry_http_requests_total", produce) == nil)
            }
        }
    }

    @Test func heldLongPoll_IsCounted_UntilAnswered() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("w")
            async let held = api.get("/v1/topics/w/partitions/0/messages?wait_ms=20000")
            var seen = false
            for _ in 0..<200 where !seen {
                let metrics = try await Self.scrape(api)
                seen = metrics.value("ferry_long_polls_held") == 1
                if !seen { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(seen, "the long-poll never showed as held")
            try await api.produce("w", records: [#"{"value":1}"#])
            #expect(try await held.status == 200)
            let after = try await Self.scrape(api)
            #expect(after.value("ferry_long_polls_held") == 0)
        }
    }
}
