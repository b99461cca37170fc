import FerryBroker
import FerryHTTP
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// The scrape-time part of `GET /metrics`: values derived from state, read when scraped (never maintained
/// on a request path). Costs one pass over topics' partitions, groups and queues per scrape.
extension FerryAPI {
    /// Reports every state-derived series into `series` (see ``ScrapedSeries``).
    func collectMetrics(into series: ScrapedSeries) {
        collectHTTP(into: series)
        let topics = broker.listTopics()
        series.gauge("ferry_topics", [], Int64(topics.count))
        if let space = broker.storage.storageSpace {
            series.gauge("ferry_storage_full", [], Int64(space.isFull ? 1 : 0))
            series.counter("ferry_storage_full_episodes_total", total: space.fullEpisodes)
        }
        for metric in broker.storage.metrics + metrics.sourcedMetrics {
            switch metric.kind {
            case .counter: series.counter(metric.name, total: Int(metric.value))
            case .gauge: series.gauge(metric.name, [], metric.value)
            }
        }
        for topic in topics { collectTopic(topic, into: series) }
        collectGroups(into: series)
        collectQueues(topics, into: series)
        collectProcess(into: series)
    }

    func collectHTTP(into series: ScrapedSeries) {
        if let http = metrics.http {
            let totals = http.trafficTotals
            series.counter("ferry_http_received_bytes_total", total: totals.bytesReceived)
            series.counter("ferry_http_sent_bytes_total", total: totals.bytesSent)
            series.counter("ferry_http_connections_accepted_total", total: totals.connectionsAccepted)
            series.gauge("ferry_http_open_connections", [], Int64(http.openConnectionCount))
            series.gauge("ferry_http_held_requests", [], Int64(http.heldRequestCount))
        }
        series.gauge("ferry_long_polls_held", [], Int64(heldLongPollCount))
        series.gauge("ferry_sse_streams_open", [], Int64(openStreamCount))
    }

    func collectTopic(_ topic: TopicSummary, into series: ScrapedSeries) {
        var produced = (messages: 0, bytes: 0)
        var fetched = (messages: 0, bytes: 0)
        for p in 0..<topic.partitionCount {
            guard let storage = broker.storage.partition(topic: topic.name, partition: p) else { continue }
            let labels = [("topic", topic.name), ("partition", String(p))]
            let start = storage.startOffset
            let end = storage.endOffset
            series.gauge("ferry_partition_start_offset", labels, start)
            series.gauge("ferry_partition_end_offset", labels, end)
            series.gauge("ferry_partition_messages", labels, end - start)
            if let segments = storage.segmentCount {
                series.gauge("ferry_partition_segments", labels, Int64(segments))
            }
            if let bytes = storage.sizeInBytes { series.gauge("ferry_partition_bytes", labels, bytes) }
            let traffic = storage.traffic
            produced.messages += traffic.appendedMessages
            produced.bytes += traffic.appendedBytes
            fetched.messages += traffic.readMessages
            fetched.bytes += traffic.readBytes
        }
        let labels = [("topic", topic.name)]
        series.counter("ferry_topic_produced_messages_total", labels, total: produced.messages)
        series.counter("ferry_topic_produced_bytes_total", labels, total: produced.bytes)
        series.counter("ferry_topic_fetched_messages_total", labels, total: fetched.messages)
        series.counter("ferry_topic_fetched_bytes_total", labels, total: fetched.bytes)
    }

    func collectGroups(into series: ScrapedSeries) {
        // This node's groups (on a cluster of gateways, each node reports the groups it owns).
        let groups = broker.localShards.flatMap { shard in shard.groups.list().map { (shard.groups, $0) } }
        series.gauge("ferry_consumer_groups", [], Int64(groups.count))
        for (coordinator, summary) in groups {
            series.gauge("ferry_consumer_group_members", [("group", summary.group)], Int64(summary.memberCount))
            guard let description = try? coordinator.describe(group: summary.group) else { continue }
            for offset in description.offsets {
                let labels = [
                    ("group", summary.group), ("topic", offset.partition.topic),
                    ("partition", String(offset.partition.partition)),
                ]
                series.gauge("ferry_consumer_group_lag", labels, offset.lag)
                if let committed = offset.committedOffset {
                    series.gauge("ferry_consumer_group_committed_offset", labels, committed)
                }
            }
        }
    }

    func collectQueues(_ topics: [TopicSummary], into series: ScrapedSeries) {
        for topic in topics {
            for queue in broker.localShards.flatMap({ (try? $0.queues.list(topic: topic.name)) ?? [] }) {
                let labels = [("topic", queue.topic), ("queue", queue.name)]
                series.gauge("ferry_queue_messages_available", labels, queue.available)
                series.gauge("ferry_queue_messages_leased", labels, queue.leased)
                series.counter("ferry_queue_messages_acked_total", labels, total: Int(queue.acked))
                series.counter("ferry_queue_messages_dead_lettered_total", labels, total: Int(queue.deadLettered))
            }
        }
    }

    func collectProcess(into series: ScrapedSeries) {
        if let rss = ProcessStatistics.residentMemoryBytes() {
            series.gauge("ferry_process_resident_memory_bytes", [], rss)
        }
        if let fds = ProcessStatistics.openFileDescriptors() {
            series.gauge("ferry_process_open_fds", [], Int64(fds))
        }
        let seconds = WallClock.seconds()
        series.gauge("ferry_process_start_time_seconds", [], metrics.startTime)
        series.gauge("ferry_uptime_seconds", [], max(0, seconds - metrics.startTime))
    }
}
