import FerryLog
import FerrySystem
import FerryTesting
import Testing

struct LogManagerTests {
    @Test func createTopic_PersistsMetadata_AndReopensPartitions() throws {
        let directory = TemporaryDirectory()
        let clock = ManualClock()
        let configuration = LogConfiguration(segmentBytes: 4096, flushPolicy: .never)
        do {
            let manager = try LogManager(dataDirectory: directory.path, clock: clock.now)
            let metadata = try manager.createTopic(
                "orders", partitions: 3, configuration: configuration,
                attributes: ["cleanup_policy": "delete"])
            #expect(metadata.createdAt == clock.milliseconds)
            #expect(throws: LogError.topicExists("orders")) { try manager.createTopic("orders", partitions: 1) }
            #expect(throws: LogError.invalidTopicName("..")) { try manager.createTopic("..", partitions: 1) }
            try manager.partition(topic: "orders", partition: 2)!.append([sampleRecord(7)])
            try manager.addPartitions(topic: "orders", count: 5)
            try manager.partition(topic: "orders", partition: 4)!.append([sampleRecord(8), sampleRecord(9)])
            manager.shutdown()
        }
        let manager = try LogManager(dataDirectory: directory.path, clock: clock.now)
        defer { manager.shutdown() }
        #expect(manager.topicNames == ["orders"])
        let metadata = try #require(manager.topic("orders"))
        #expect(metadata.partitionCount == 5)
        #expect(metadata.configuration == configuration)
        #expect(metadata.attributes == ["cleanup_policy": "delete"])
        #expect(manager.startupReport.partitions == 5)
        #expect(manager.partition(topic: "orders", partition: 2)?.nextOffset == 1)
        #expect(manager.partition(topic: "orders", partition: 4)?.nextOffset == 2)
        #expect(manager.partition(topic: "orders", partition: 5) == nil)
    }

    @Test func deleteTopic_RemovesFiles() throws {
        let directory = TemporaryDirectory()
        let manager = try LogManager(dataDirectory: directory.path)
        defer { manager.shutdown() }
        try manager.createTopic("gone", partitions: 2, configuration: LogConfiguration(flushPolicy: .never))
        let log = try #require(manager.partition(topic: "gone", partition: 0))
        try log.append([sampleRecord(1)])
        let kept = try log.read(from: 0).records
        try manager.deleteTopic("gone")
        #expect(manager.topic("gone") == nil)
        #expect(!FileSystem.isDirectory(directory.path + "/topics/gone"))
        #expect(kept.first.map { matches($0, sampleRecord(1)) } == true)  // views outlive the files
        #expect(throws: LogError.topicNotFound("gone")) { try manager.deleteTopic("gone") }
    }
}
