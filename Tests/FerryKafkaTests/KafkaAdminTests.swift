import FerryKafka
import Testing

@Suite("KafkaAdmin against a 3-broker mock cluster")
struct KafkaAdminTests {
    @Test("list topics shows mock-created topics with their partition counts")
    func listTopics_ShowsCreatedTopics() throws {
        let fixture = try MockClusterFixture.make(topic: "orders", partitions: 5)
        try fixture.cluster.createTopic("audit", partitions: 2)
        let admin = try KafkaAdmin(configuration: fixture.configuration)
        let topics = try admin.listTopics(timeout: .seconds(5))
        let counts = Dictionary(uniqueKeysWithValues: topics.map { ($0.name, $0.partitionCount) })
        #expect(counts["orders"] == 5)
        #expect(counts["audit"] == 2)
        let orders = try #require(topics.first { $0.name == "orders" })
        #expect(orders.partitions.map(\.id) == [0, 1, 2, 3, 4])
        #expect(orders.partitions.allSatisfy { (1...3).contains($0.leader) })
    }

    @Test("group offsets committed through the coordinator are listed back")
    func commitGroupOffsets_ThenList_RoundTrips() async throws {
        let fixture = try MockClusterFixture.make()
        let producer = try fixture.producer()
        defer { producer.close(timeout: .seconds(1)) }
        _ = await producer.sendBatch(
            (0..<5).map { _ in KafkaProducerRecord(topic: fixture.topic, partition: 0, value: [0]) })
        let admin = try KafkaAdmin(configuration: fixture.configuration)
        try admin.commitGroupOffsets(
            "billing", [fixture.partition(0): 4, fixture.partition(2): 0], timeout: .seconds(5))
        let listed = try admin.groupOffsets(
            "billing", partitions: [fixture.partition(0), fixture.partition(2)], timeout: .seconds(5))
        #expect(listed == [fixture.partition(0): 4, fixture.partition(2): 0])
        try admin.commitGroupOffsets("billing", [fixture.partition(0): 5], timeout: .seconds(5))
        #expect(
            try admin.groupOffsets("billing", partitions: [fixture.partition(0)], timeout: .seconds(5)) == [
                fixture.partition(0): 5
            ])
    }

    @Test("an Admin API request the mock does not answer fails within its timeout")
    func createTopic_FailsWithinTimeout_OnTheMock() throws {
        let fixture = try MockClusterFixture.make()
        let admin = try KafkaAdmin(configuration: fixture.configuration)
        let clock = ContinuousClock()
        let started = clock.now
        do {
            try admin.createTopic("fresh", partitions: 2, timeout: .milliseconds(500))
        } catch {
            #expect(error.isRetriable || error.code > 0, "\(error)")
        }
        #expect(clock.now - started < .seconds(3))
    }
}
