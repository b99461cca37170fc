import FerryKafka
import Testing

@Suite("KafkaPartitionReader against a 3-broker mock cluster")
struct KafkaPartitionReaderTests {
    @Test("watermarks follow produced records")
    func watermarks_FollowProducedRecords() async throws {
        let fixture = try MockClusterFixture.make()
        let producer = try fixture.producer()
        defer { producer.close(timeout: .seconds(1)) }
        let reader = try fixture.reader()
        defer { reader.close() }
        #expect(
            try reader.watermarks(of: fixture.partition(0), timeout: .seconds(5))
                == .init(logStartOffset: 0, highWatermark: 0))
        let results = await producer.sendBatch(
            (0..<7).map { _ in KafkaProducerRecord(topic: fixture.topic, partition: 0, value: [0]) })
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        #expect(
            try reader.watermarks(of: fixture.partition(0), timeout: .seconds(5))
                == .init(logStartOffset: 0, highWatermark: 7))
    }

    @Test("fetches are bounded by maxRecords and continue where the last one stopped")
    func fetch_IsBounded_AndContinues() async throws {
        let fixture = try MockClusterFixture.make()
        let producer = try fixture.producer()
        defer { producer.close(timeout: .seconds(1)) }
        _ = await producer.sendBatch(
            (0..<10).map { KafkaProducerRecord(topic: fixture.topic, partition: 1, value: [UInt8($0)]) })
        let reader = try fixture.reader()
        defer { reader.close() }
        var seen: [Int64] = []
        var next: Int64 = 3
        while seen.count < 7 {
            let batch = try reader.fetch(fixture.partition(1), from: next, maxRecords: 4, timeout: .seconds(5))
            #expect(!batch.isEmpty && batch.count <= 4)
            seen += batch.map(\.offset)
            next = (batch.last?.offset ?? next) + 1
        }
        #expect(seen == Array(3..<10))
        #expect(reader.cachedWatermarks(of: fixture.partition(1))?.highWatermark == 10)
    }

    @Test("a fetch at the end waits for its timeout and returns nothing")
    func fetch_ReturnsEmpty_AtEndAfterTimeout() throws {
        let fixture = try MockClusterFixture.make()
        let reader = try fixture.reader()
        defer { reader.close() }
        let clock = ContinuousClock()
        let started = clock.now
        let batch = try reader.fetch(fixture.partition(0), from: 0, maxRecords: 10, timeout: .milliseconds(300))
        #expect(batch.isEmpty)
        #expect(clock.now - started >= .milliseconds(250))
    }

    @Test("a fetch beyond the end throws OFFSET_OUT_OF_RANGE")
    func fetch_Throws_WhenOffsetOutOfRange() throws {
        let fixture = try MockClusterFixture.make()
        let reader = try fixture.reader()
        defer { reader.close() }
        let error = #expect(throws: KafkaError.self) {
            _ = try reader.fetch(fixture.partition(0), from: 42, maxRecords: 10, timeout: .seconds(5))
        }
        #expect(error?.code == KafkaError.offsetOutOfRangeCode)
    }

    @Test("offsets for times: the 2.0.2 mock has no answer, so every partition maps to nil")
    func offsetsForTimes_IsNil_OnTheMock() throws {
        let fixture = try MockClusterFixture.make()
        let reader = try fixture.reader()
        defer { reader.close() }
        let offsets = try reader.offsets(forTimestamps: [fixture.partition(0): 1_000], timeout: .seconds(5))
        #expect(offsets.keys.contains(fixture.partition(0)))
        #expect(offsets[fixture.partition(0)] == .some(nil))
    }
}
