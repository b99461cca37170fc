/// Help text and histogram buckets of every metric Ferry exports, by name. One place to read what
/// `/metrics` can contain (the README's "Metrics" section lists the same names with their labels).
///
/// Metrics created through ``FerryMetricsFactory`` by a name not listed here still work; they get no
/// `# HELP` line. Immutable; thread-safe.
enum MetricCatalog {
    /// `# HELP` text by metric name.
    static let help: [String: String] = [
        // HTTP (hot path: counted per request by HTTPMetrics)
        "ferry_http_requests_total": "HTTP requests answered, by route pattern, method and status.",
        "ferry_http_request_duration_seconds":
            "Time from the complete request head to the response being queued (held requests included), by route.",
        // HTTP (read at scrape time from the server)
        "ferry_http_received_bytes_total": "Bytes read from client sockets.",
        "ferry_http_sent_bytes_total": "Bytes written to client sockets.",
        "ferry_http_connections_accepted_total": "TCP connections accepted.",
        "ferry_http_open_connections": "TCP connections currently open.",
        "ferry_http_held_requests": "Requests whose handler returned before answering (long-polls, streams).",
        "ferry_long_polls_held": "Long-poll fetches and receives currently waiting for messages.",
        "ferry_sse_streams_open": "Server-Sent Events streams currently open.",
        // The Kafka-protocol listener (--kafka-port; read at scrape time)
        "ferry_kafka_listener_open_connections": "Kafka-protocol connections currently open.",
        "ferry_kafka_listener_connections_accepted_total": "Kafka-protocol connections accepted.",
        "ferry_kafka_listener_requests_total": "Kafka-protocol requests received.",
        "ferry_kafka_listener_refused_connections_total":
            "Kafka-protocol connections closed for breaking the protocol (bad frame, unknown API or version, failed SASL).",
        "ferry_kafka_listener_received_bytes_total": "Bytes read from Kafka-protocol sockets.",
        "ferry_kafka_listener_sent_bytes_total": "Bytes written to Kafka-protocol sockets.",
        // Topics and partitions (read at scrape time)
        "ferry_topics": "User topics.",
        "ferry_storage_full": "1 while appends are refused for lack of disk space (507 insufficient-storage), else 0.",
        "ferry_storage_full_episodes_total": "Times the disk became full since start-up.",
        // The Kafka engine (--storage kafka; read at scrape time)
        "ferry_kafka_up": "1 while the Kafka cluster answers (the listing and the partition leaders), else 0.",
        "ferry_kafka_producer_queue": "Records handed to the Kafka producer and not yet acknowledged or failed.",
        "ferry_kafka_produced_records_total": "Records Kafka acknowledged (acks=all).",
        "ferry_kafka_produce_errors_total": "Records Kafka did not take (answered 503 or 4xx).",
        "ferry_kafka_produce_batches_total": "Appends (one per partition of a produce request) Kafka answered.",
        "ferry_kafka_delivery_microseconds_total":
            "Sum of the times from handing an append to the producer to Kafka's last acknowledgement; divide by ferry_kafka_produce_batches_total for the mean.",
        "ferry_kafka_reads_total": "Reads served from Kafka (fetches, streams, receives, replays).",
        "ferry_kafka_read_errors_total": "Reads that failed for a reason other than an offset out of range.",
        "ferry_topic_produced_messages_total": "Messages appended to the topic (since its partitions were opened).",
        "ferry_topic_produced_bytes_total": "Key and value bytes appended to the topic.",
        "ferry_topic_fetched_messages_total":
            "Messages read from the topic (fetches, group fetches, SSE, queue receives, dead-letter copies).",
        "ferry_topic_fetched_bytes_total": "Key and value bytes read from the topic.",
        "ferry_partition_start_offset": "The first offset still stored.",
        "ferry_partition_end_offset": "The offset the next message gets.",
        "ferry_partition_messages": "Messages stored (end offset minus start offset).",
        "ferry_partition_segments": "Segment files of the partition.",
        "ferry_partition_bytes": "Bytes stored by the partition's segments.",
        // Storage
        "ferry_fsync_duration_seconds": "Duration of one flush round (msync/fsync of a partition's new data).",
        // Consumer groups and queues (read at scrape time)
        "ferry_consumer_groups": "Consumer groups.",
        "ferry_consumer_group_members": "Live members of the consumer group.",
        "ferry_consumer_group_lag":
            "Messages after the group's committed offset (from the start offset when nothing is committed).",
        "ferry_consumer_group_committed_offset": "The group's committed offset (only partitions with a commit).",
        "ferry_queue_messages_available": "Messages a receive can lease now, per queue.",
        "ferry_queue_messages_leased": "Messages leased and not yet acknowledged, per queue.",
        "ferry_queue_messages_dead_lettered_total": "Messages the queue moved to its dead-letter topic.",
        "ferry_queue_messages_acked_total": "Messages acknowledged on the queue.",
        // Webhooks (counted by the webhook dispatcher)
        "ferry_webhook_attempts_total": "Webhook delivery attempts (HTTP requests sent), per subscription.",
        "ferry_webhook_deliveries_total": "Webhook batches delivered (2xx answer), per subscription.",
        "ferry_webhook_failures_total": "Webhook attempts that failed (error, timeout or non-2xx), per subscription.",
        "ferry_webhook_dead_lettered_total": "Webhook batches given up on and dead-lettered, per subscription.",
        "ferry_webhook_delivery_duration_seconds": "Duration of one webhook delivery attempt, per subscription.",
        // Process
        "ferry_process_resident_memory_bytes": "Resident set size of the process.",
        "ferry_process_open_fds": "Open file descriptors of the process.",
        "ferry_process_start_time_seconds": "Start time of the server, seconds since the Unix epoch.",
        "ferry_uptime_seconds": "Seconds since the server started.",
        "ferry_build_info": "Always 1; labels carry the version.",
    ]

    /// Buckets of the HTTP request-duration histogram: 100 µs to 60 s (the longest long-poll).
    static let httpDurationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60),
    ]

    /// Buckets of the fsync histogram: 50 µs to 5 s.
    static let fsyncBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    /// Buckets of outgoing-request histograms (webhooks): 1 ms to 60 s.
    static let outgoingBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    /// Histogram buckets for a timer exported as `name` (seconds).
    static func durationBuckets(for name: String) -> [Duration] {
        switch name {
        case "ferry_http_request_duration_seconds": httpDurationBuckets
        case "ferry_fsync_duration_seconds": fsyncBuckets
        default: outgoingBuckets
        }
    }

    /// The exported name of a swift-metrics `Timer` label: Prometheus wants the unit in the name, and timers
    /// are exported in seconds, so `_seconds` is appended when missing.
    static func timerName(_ label: String) -> String {
        label.hasSuffix("_seconds") ? label : label + "_seconds"
    }
}
