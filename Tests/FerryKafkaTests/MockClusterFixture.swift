import FerryKafka

/// A 3-broker mock cluster with one topic of `partitions` partitions, and the configuration to reach it.
struct MockClusterFixture {
    let cluster: KafkaMockCluster
    let topic: String
    let configuration: KafkaConfiguration

    static func make(topic: String = "events", partitions: Int32 = 3) throws -> MockClusterFixture {
        let cluster = try KafkaMockCluster(brokers: 3, logHandler: { _ in })
        try cluster.createTopic(topic, partitions: partitions)
        return MockClusterFixture(cluster: cluster, topic: topic, configuration: cluster.configuration())
    }

    func producer(deliveryTimeout: Duration = .seconds(10)) throws -> KafkaProducer {
        try KafkaProducer(configuration: configuration, deliveryTimeout: deliveryTimeout)
    }

    func reader() throws -> KafkaPartitionReader {
        try KafkaPartitionReader(configuration: configuration)
    }

    func partition(_ number: Int32) -> KafkaTopicPartition {
        KafkaTopicPartition(topic: topic, partition: number)
    }
}

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}
