import FerryBroker
import FerryHTTP
import Synchronization

/// `/healthz`, `/readyz`, `/metrics`.
extension FerryAPI {
    func addHealthRoutes(to router: inout Router) {
        router.add(.GET, "/healthz", needs: .open) { _, responder in
            responder.respond(.json(#"{"status":"ok"}"#))
        }
        router.add(.GET, "/readyz", needs: .open) { [self] _, responder in
            if readiness.load(ordering: .acquiring) {
                responder.respond(.json(#"{"status":"ok"}"#))
            } else {
                responder.respond(.problem(.serviceUnavailable, slug: "unavailable", detail: "not ready"))
            }
        }
        router.add(.GET, "/metrics", needs: .open) { [self] _, responder in
            responder.respond(.text(metricsText(), contentType: "text/plain; version=0.0.4; charset=utf-8"))
        }
    }

    /// Prometheus text exposition of the broker's state and the API counters.
    func metricsText() -> String {
        var out = ""
        func counter(_ name: String, _ help: String, _ value: Int) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
        }
        counter("ferry_produce_requests_total", "Produce requests accepted.", counters.produceRequests.load(ordering: .relaxed))
        counter("ferry_produced_messages_total", "Messages appended by produce requests.", counters.producedMessages.load(ordering: .relaxed))
        counter("ferry_produced_bytes_total", "Key and value bytes appended by produce requests.", counters.producedBytes.load(ordering: .relaxed))
        counter("ferry_fetch_requests_total", "Fetch requests answered.", counters.fetchRequests.load(ordering: .relaxed))
        counter("ferry_fetched_messages_total", "Messages returned by fetches.", counters.fetchedMessages.load(ordering: .relaxed))
        out += "# HELP ferry_held_requests Long-polls and streams currently held.\n# TYPE ferry_held_requests gauge\n"
        out += "ferry_held_requests \(held.count)\n"
        let topics = broker.listTopics()
        out += "# HELP ferry_topics Topics.\n# TYPE ferry_topics gauge\nferry_topics \(topics.count)\n"
        out += "# HELP ferry_partition_end_offset The offset the next message gets.\n# TYPE ferry_partition_end_offset gauge\n"
        var sizes = "# HELP ferry_partition_bytes Bytes stored.\n# TYPE ferry_partition_bytes gauge\n"
        for topic in topics {
            guard let description = try? broker.describeTopic(topic.name) else { continue }
            for p in description.partitions {
                out += "ferry_partition_end_offset{topic=\"\(topic.name)\",partition=\"\(p.partition)\"} \(p.endOffset)\n"
                sizes += "ferry_partition_bytes{topic=\"\(topic.name)\",partition=\"\(p.partition)\"} \(p.bytes)\n"
            }
        }
        out += sizes
        let groups = broker.groups.list()
        out += "# HELP ferry_group_members Live members per consumer group.\n# TYPE ferry_group_members gauge\n"
        for group in groups { out += "ferry_group_members{group=\"\(group.group)\"} \(group.memberCount)\n" }
        return out
    }
}
