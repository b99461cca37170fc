import ArgumentParser
import FerryBroker
import FerryKafka
import FerryKafkaStorage
import Logging

/// The storage engine `ferry serve` runs on (`--storage`), with what must live as long as it (a mock cluster).
struct StorageChoice {
    let engine: any StorageEngine
    /// librdkafka's in-process mock cluster, when `--kafka-mock-brokers` asked for one (trying Ferry on Kafka
    /// without a cluster; benchmarks). Destroyed after the server.
    let mockCluster: KafkaMockCluster?
    /// Shares the state shards with the other gateways on the same Kafka cluster (nil on the embedded engine).
    var shardAssigner: (any ShardAssigner)? = nil

    /// Opens the embedded data dir, or connects to the Kafka cluster. Stops start-up with one line on a bad
    /// setting or an unreachable data dir.
    static func open(_ options: ServeOptions, logger: Logger) throws -> StorageChoice {
        switch options.storage {
        case .embedded:
            do {
                return StorageChoice(
                    engine: try EmbeddedStorageEngine(
                        dataDirectory: options.dataDir, flushPolicy: options.flushPolicy, logger: logger),
                    mockCluster: nil)
            } catch {
                throw ValidationError("cannot open data dir \(options.dataDir): \(error)")
            }
        case .kafka:
            var mock: KafkaMockCluster?
            var bootstrap = options.kafkaBootstrap
            if options.kafkaMockBrokers > 0 {
                do {
                    let cluster = try KafkaMockCluster(brokers: options.kafkaMockBrokers) { _ in }
                    bootstrap = cluster.bootstrapServers
                    mock = cluster
                } catch {
                    throw ValidationError("cannot start the mock Kafka cluster: \(error)")
                }
            }
            let kafka: KafkaConfiguration
            do {
                kafka = try KafkaConfiguration(bootstrapServers: bootstrap, pairs: options.kafkaConfig)
            } catch {
                throw ValidationError("--kafka-config: \(error)")
            }
            var storageOptions = KafkaStorageOptions(kafka: kafka, logger: logger)
            if let mock {
                storageOptions.topicCreator = { name, partitions, _ throws(KafkaError) in
                    try mock.createTopic(name, partitions: Int32(clamping: partitions))
                }
            }
            logger.info("storage: Kafka", metadata: ["bootstrap": "\(bootstrap)"])
            do {
                var choice = StorageChoice(engine: try KafkaStorageEngine(options: storageOptions), mockCluster: mock)
                choice.shardAssigner = KafkaShardAssigner(
                    configuration: kafka, clusterName: options.clusterName,
                    sessionTimeout: .milliseconds(options.clusterSessionTimeoutMs), logger: logger)
                return choice
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }
}
