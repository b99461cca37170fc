import FerryKafka
import Testing

@Suite("KafkaProducer against a 3-broker mock cluster")
struct KafkaProducerTests {
    @Test("a record round-trips with its key, headers and timestamp")
    func produceThenFetch_ReturnsKeyHeadersTimestamp() async throws {
        let fixture = try MockClusterFixture.make()
        let producer = try fixture.producer()
        defer { producer.close(timeout: .seconds(1)) }
        let record = KafkaProducerRecord(
            topic: fixture.topic, partition: 1, key: [UInt8]("k1"), value: [UInt8]("hello"),
            headers: [KafkaHeader(name: "trace", value: [1, 2, 3]), KafkaHeader(name: "empty", value: nil)],
            timestampMilliseconds: 1_700_000_000_123)
        let report = try await producer.send(record)
        #expect(report.topic == fixture.topic)
        #expect(report.partition == 1)
        #expect(report.offset == 0)

        let reader = try fixture.reader()
        defer { reader.close() }
        let records = try reader.fetch(fixture.partition(1), from: 0, maxRecords: 10, timeout: .seconds(5))
        let read = try #require(records.first)
        #expect(records.count == 1)
        #expect(read.offset == 0)
        #expect(read.key == [UInt8]("k1"))
        #expect(read.value == [UInt8]("hello"))
        #expect(read.headers == record.headers)
        #expect(read.timestampMilliseconds == 1_700_000_000_123)
        #expect(read.timestampType == .createTime)
    }

    @Test("offsets are assigned in order, per partition")
    func produceMany_AssignsConsecutiveOffsets() async throws {
        let fixture = try MockClusterFixture.make()
        let producer = try fixture.producer()
        defer { producer.close(timeout: .seconds(1)) }
        var offsets: [Int64] = []
        for index in 0..<5 {
            let report = try await producer.send(
                KafkaProducerRecord(topic: fixture.topic, partition: 2, value: [UInt8]("m\(index)")))
            offsets.append(report.offset)
        }
        #expect(offsets == [0, 1, 2, 3, 4])
        let other = try await producer.send(KafkaProducerRecord(topic: fixture.topic, partition: 0, value: nil))
        #expect(other.offset == 0)
    }
}
