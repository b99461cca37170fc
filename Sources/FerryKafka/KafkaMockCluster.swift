import CRdkafka

/// librdkafka's in-process mock Kafka cluster, for tests and benchmarks: N brokers (ids 1…N) listening on real
/// 127.0.0.1 ports, so clients in this or another process connect through ``bootstrapServers``.
///
/// It answers Produce, Fetch, ListOffsets, Metadata, consumer groups, OffsetCommit/OffsetFetch and
/// InitProducerId; in librdkafka 2.0.2 it does not answer CreateTopics/DeleteTopics/CreatePartitions,
/// Describe/AlterConfigs or offsets-for-times lookups (requests time out or return -1). Topics are auto-created
/// with 4 partitions on first use unless made with ``createTopic(_:partitions:replicationFactor:)``.
///
/// Threads: the brokers run on librdkafka's own mock thread. The control methods may be called from any thread;
/// each one is a request to that thread and blocks briefly (microseconds). Destroying the cluster (on release)
/// blocks until its thread stops; clients connected to it should be closed first.
public final class KafkaMockCluster: @unchecked Sendable {
    /// The client librdkafka needs to host a mock cluster (never connects anywhere itself).
    private let host: KafkaClientHandle
    private let cluster: OpaquePointer
    /// The number of brokers; their ids are `1...brokerCount`.
    public let brokerCount: Int32

    /// Starts `brokers` mock brokers. `logHandler` receives the hosting client's log lines.
    public init(brokers: Int32 = 3, logHandler: (@Sendable (KafkaLogEvent) -> Void)? = nil) throws(KafkaError) {
        var configuration = KafkaConfiguration(bootstrapServers: "")
        configuration.logHandler = logHandler
        host = try KafkaClientHandle(type: RD_KAFKA_PRODUCER, configuration: configuration, extra: [])
        guard let cluster = rd_kafka_mock_cluster_new(host.pointer, brokers) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL.rawValue, message: "rd_kafka_mock_cluster_new failed")
        }
        self.cluster = cluster
        brokerCount = brokers
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// `127.0.0.1:port,…` for ``KafkaConfiguration/bootstrapServers``.
    public var bootstrapServers: String { string(rd_kafka_mock_cluster_bootstraps(cluster)) }

    /// A configuration for this cluster with settings that keep tests fast (a short fetch wait: an empty mock
    /// Fetch waits the full `fetch.wait.max.ms`) and librdkafka's logs sent to `logHandler` (dropped if nil).
    public func configuration(logHandler: (@Sendable (KafkaLogEvent) -> Void)? = { _ in }) -> KafkaConfiguration {
        var configuration = KafkaConfiguration(bootstrapServers: bootstrapServers)
        configuration.set("fetch.wait.max.ms", "10")
        configuration.set("retry.backoff.ms", "20")
        configuration.set("reconnect.backoff.ms", "20")
        configuration.set("reconnect.backoff.max.ms", "200")
        configuration.logHandler = logHandler
        return configuration
    }

    /// Creates `name` with `partitions` partitions (fails with `TOPIC_ALREADY_EXISTS` if it exists).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor))
    }

    /// Makes broker `id` stop answering (its connections close; new ones are refused).
    public func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_down(cluster, id))
    }

    /// Brings broker `id` back.
    public func setBrokerUp(_ id: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_up(cluster, id))
    }

    /// Adds `rtt` of delay to every answer of broker `id`.
    public func setBrokerRoundTripTime(_ id: Int32, _ rtt: Duration) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_rtt(cluster, id, milliseconds(rtt)))
    }

    /// Moves the leadership of one partition to broker `id` (clients learn it from NOT_LEADER answers or metadata).
    public func setPartitionLeader(topic: String, partition: Int32, broker id: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, id))
    }

    /// Makes the next `errors.count` requests of `api` (on any broker) fail with these codes, in order.
    public func pushRequestErrors(_ api: KafkaAPIKey, _ errors: [Int32]) {
        var codes = errors.map { rd_kafka_resp_err_t($0) }
        rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, codes.count, &codes)
    }

    /// Forgets errors pushed for `api` that have not been used yet.
    public func clearRequestErrors(_ api: KafkaAPIKey) {
        rd_kafka_mock_clear_request_errors(cluster, api.rawValue)
    }

    /// Makes every request about `topic` fail with `code` (0 clears it).
    public func setTopicError(_ topic: String, _ code: Int32) {
        rd_kafka_mock_topic_set_error(cluster, topic, rd_kafka_resp_err_t(code))
    }
}

/// Kafka protocol request types, for ``KafkaMockCluster/pushRequestErrors(_:_:)``.
public enum KafkaAPIKey: Int16, Sendable {
    case produce = 0
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case offsetCommit = 8
    case offsetFetch = 9
    case findCoordinator = 10
    case joinGroup = 11
    case heartbeat = 12
    case initProducerID = 22
    case addPartitionsToTransaction = 24
    case endTransaction = 26
}
