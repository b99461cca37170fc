import FerryAPITesting
import FerryKafka
import FerryKafkaStorage
import FerryServer
import FerryTesting
import Logging
import Testing

/// Polls `condition` every 50 ms for at most `seconds` (bounded); returns whether it came true.
func eventually(seconds: Int = 15, _ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<(seconds * 20) {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// A native librdkafka producer on the server's mock cluster (what a Java or kcat producer would be), with
/// librdkafka's Java-compatible partitioner for records given no partition.
func nativeProducer(_ cluster: KafkaMockCluster) throws -> KafkaProducer {
    var configuration = cluster.configuration()
    configuration.set("partitioner", "murmur2_random")
    return try KafkaProducer(configuration: configuration, deliveryTimeout: .seconds(10))
}

/// A Ferry server on `cluster` (not owned: several servers in turn share one cluster), listening on 127.0.0.1.
/// Blocks while the engine lists the cluster: call through `onDispatchThread`.
func startKafkaServer(on cluster: KafkaMockCluster) throws -> (server: FerryServer, api: APIClient) {
    var logger = Logger(label: "ferry-kafka-test")
    logger.logLevel = .warning
    let storage = try KafkaStorageEngine(options: TestServer.kafkaOptions(cluster, logger: logger))
    let server = try FerryServer(configuration: TestServer.configuration { _ in }, storage: storage, logger: logger)
    try server.start()
    return (server, APIClient(port: server.port))
}
