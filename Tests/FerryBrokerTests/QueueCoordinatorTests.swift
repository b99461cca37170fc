import FerryLog
import FerryTesting
import Logging
import Synchronization
import Testing

@testable import FerryBroker

/// Queues through a real broker over the embedded log in a temp dir, with a manual clock.
struct QueueCoordinatorTests {
    let clock = ManualClock()

    func openBroker(_ directory: TemporaryDirectory) throws -> Broker {
        let storage = try EmbeddedStorageEngine(
            dataDirectory: directory.path, flushPolicy: .never, logger: Logger(label: "test"), clock: clock.now)
        return try Broker(storage: storage, now: clock.now)
    }

    func produce(_ broker: Broker, _ topic: String, count: Int, partition: Int? = nil) throws {
        var batch = ProduceBatch()
        for i in 0..<count {
            let header = batch.addHeader(name: batch.store("h".utf8), value: batch.store("v\(i)".utf8))
            batch.records.append(
                .init(
                    key: batch.store("k\(i)".utf8), value: batch.store("\(i)".utf8), valueFormat: .json,
                    headers: header..<(header + 1), partition: partition, timestamp: nil))
        }
        let done = Mutex<Result<[ProducedOffset], BrokerError>?>(nil)
        try broker.produce(topic: topic, batch: batch) { result in done.withLock { $0 = result } }
        _ = try #require(done.withLock { $0 }).get()
    }

    /// Receives and returns the deliveries with their values.
    func receive(_ broker: Broker, _ topic: String, _ queue: String, max: Int, leaseMs: Int64 = 1000) throws
        -> [(delivery: QueueDelivery, value: String)]
    {
        var got: [(delivery: QueueDelivery, value: String)] = []
        try broker.queues.receiveNow(topic: topic, name: queue, maxMessages: max, leaseMilliseconds: leaseMs).forEach {
            message, delivery in
            got.append((delivery, message.value.map { String(decoding: $0, as: UTF8.self) } ?? "null"))
        }
        return got
    }

    func settle(
        _ broker: Broker, _ topic: String, _ queue: String, _ receipts: [QueueReceipt], _ settlement: QueueSettlement
    )
        throws -> [ReceiptStatus]
    {
        let done = Mutex<Result<[ReceiptStatus], BrokerError>?>(nil)
        try broker.queues.settle(topic: topic, name: queue, receipts: receipts.map(\.text), settlement) { result in
            done.withLock { $0 = result }
        }
        return try #require(done.withLock { $0 }).get()
    }

    @Test func create_Throws_ForMissingTopicDuplicateQueueAndBadSettings() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory)
        #expect(throws: BrokerError.topicNotFound("t")) { try broker.queues.create(topic: "t", name: "q") }
        try broker.createTopic(name: "t")
        _ = try broker.queues.create(topic: "t", name: "q")
        #expect(throws: BrokerError.queueExists(topic: "t", queue: "q")) {
            try broker.queues.create(topic: "t", name: "q")
        }
        #expect(throws: BrokerError.self) {
            try broker.queues.create(topic: "t", name: "r", options: .init(maxDeliveries: 0))
        }
        #expect(throws: BrokerError.invalidTopicName("__x")) {
            try broker.queues.create(topic: "t", name: "r", options: .init(deadLetterTopic: "__x"))
        }
        #expect(throws: BrokerError.queueNotFound(topic: "t", queue: "nope")) {
            try broker.queues.status(topic: "t", name: "nope")
        }
    }

    @Test func receive_Ack_Status_CountExactly() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory)
        try broker.createTopic(name: "t", partitions: 2)
        try produce(broker, "t", count: 4, partition: 0)
        _ = try broker.queues.create(topic: "t", name: "late")
        _ = try broker.queues.create(topic: "t", name: "q", options: .init(start: .earliest))
        try produce(broker, "t", count: 2, partition: 1)
        #expect(try broker.queues.status(topic: "t", name: "late").available == 2)

        let got = try receive(broker, "t", "q", max: 4)
        #expect(got.count == 4)
        #expect(Set(got.map(\.delivery.partition)) == [0, 1])  // fair across partitions
        #expect(got.allSatisfy { $0.delivery.deliveryCount == 1 })
        var status = try broker.queues.status(topic: "t", name: "q")
        #expect((status.available, status.leased, status.acked) == (2, 4, 0))

        let results = try settle(broker, "t", "q", got.prefix(3).map(\.delivery.receipt), .ack)
        #expect(results == [.ok, .ok, .ok])
        #expect(try settle(broker, "t", "q", [got[0].delivery.receipt], .ack) == [.stale])
        status = try broker.queues.status(topic: "t", name: "q")
        #expect((status.available, status.leased, status.acked, status.deadLettered) == (2, 1, 3, 0))
        #expect(try broker.queues.list(topic: "t").map(\.name) == ["late", "q"])
    }

    @Test func staleReceipt_NeverSettlesTheNextLease() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory)
        try broker.createTopic(name: "t")
        _ = try broker.queues.create(topic: "t", name: "q", options: .init(start: .earliest))
        try produce(broker, "t", count: 1)
        let first = try receive(broker, "t", "q", max: 1, leaseMs: 100)
        clock.advance(by: 100)
        let second = try receive(broker, "t", "q", max: 1, leaseMs: 1000)
        #expect(second.map(\.delivery.deliveryCount) == [2])
        #expect(try settle(broker, "t", "q", [first[0].delivery.receipt], .ack) == [.stale])
        #expect(try settle(broker, "t", "q", [second[0].delivery.receipt], .renew(leaseMilliseconds: 5000)) == [.ok])
        clock.advance(by: 2000)
        #expect(try receive(broker, "t", "q", max: 1).isEmpty)
        #expect(try settle(broker, "t", "q", [second[0].delivery.receipt], .ack) == [.ok])
        #expect(try broker.queues.status(topic: "t", name: "q").partitions[0].floorOffset == 1)
    }

    @Test func release_WithDelay_MakesMessageAvailableLater() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory)
        try broker.createTopic(name: "t")
        _ = try broker.queues.create(topic: "t", name: "q", options: .init(start: .earliest))
        try produce(broker, "t", count: 1)
        let first = try receive(broker, "t", "q", max: 1)
        #expect(try settle(broker, "t", "q", [first[0].delivery.receipt], .release(delayMilliseconds: 500)) == [.ok])
        #expect(try receive(broker, "t", "q", max: 1).isEmpty)
        clock.advance(by: 500)
        #expect(try receive(broker, "t", "q", max: 1).map(\.delivery.deliveryCount) == [2])
    }

    @Test func rejectAndMaxDeliveries_MoveMessagesToDeadLetterTopic() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory)
        try broker.createTopic(name: "t")
        _ = try broker.queues.create(topic: "t", name: "q", options: .init(start: .earliest, maxDeliveries: 2))
        try produce(broker, "t", count: 2)
        let first = try receive(broker, "t", "q", max: 2, leaseMs: 100)
        #expect(try settle(broker, "t", "q", [first[0].delivery.receipt], .reject) == [.ok])
        clock.advance(by: 100)
        #expect(try receive(broker, "t", "q", max: 2, leaseMs: 100).map(\.delivery.offset) == [1])
        clock.advance(by: 100)
        broker.queues.expireLeases()
        let status = try broker.queues.status(topic: "t", name: "q")
        #expect((status.available, status.leased, status.deadLettered) == (0, 0, 2))
        #expect(status.partitions[0].floorOffset == 2)

        let dlq = try broker.partition(topic: "t.q.dlq", partition: 0)
        var letters: [[String: String]] = []
        try dlq.readNow(from: 0, maxMessages: 10, maxBytes: 1 << 20).forEach { message in
            var headers: [String: String] = [:]
            for header in message.headers {
                headers[String(decoding: header.name, as: UTF8.self)] = String(decoding: header.value, as: UTF8.self)
            }
            headers["key"] = message.key.map { String(decoding: $0, as: UTF8.self) }
            letters.append(headers)
        }
        #expect(letters.count == 2)
        #expect(letters[0]["ferry-origin-topic"] == "t" && letters[0]["ferry-origin-offset"] == "0")
        #expect(letters[0]["ferry-delivery-count"] == "1" && letters[0]["h"] == "v0" && letters[0]["key"] == "k0")
        #expect(letters[1]["ferry-origin-offset"] == "1" && letters[1]["ferry-delivery-count"] == "2")
        #expect(letters[1]["ferry-origin-partition"] == "0")
    }

    @Test func restart_KeepsAcks_AndGivesLeasesBackWithDeliveryCounts() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var broker = try openBroker(directory)
        try broker.createTopic(name: "t")
        _ = try broker.queues.create(topic: "t", name: "q", options: .init(start: .earliest, maxDeliveries: 5))
        try produce(broker, "t", count: 5)
        let got = try receive(broker, "t", "q", max: 3, leaseMs: 60_000)
        _ = try settle(broker, "t", "q", [got[1].delivery.receipt], .ack)
        broker.shutdown()

        broker = try openBroker(directory)
        defer { broker.shutdown() }
        let status = try broker.queues.status(topic: "t", name: "q")
        #expect((status.available, status.leased, status.acked) == (4, 0, 1))
        let again = try receive(broker, "t", "q", max: 10)
        #expect(again.map(\.delivery.offset) == [0, 2, 3, 4])
        #expect(again.map(\.delivery.deliveryCount) == [2, 2, 1, 1])
        #expect(try settle(broker, "t", "q", [got[0].delivery.receipt], .ack) == [.stale])
    }

    @Test func deleteTopic_EndsItsQueues() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var broker = try openBroker(directory)
        try broker.createTopic(name: "t")
        _ = try broker.queues.create(topic: "t", name: "q")
        try broker.deleteTopic("t")
        try broker.createTopic(name: "t")
        #expect(throws: BrokerError.queueNotFound(topic: "t", queue: "q")) {
            try broker.queues.status(topic: "t", name: "q")
        }
        broker.shutdown()
        broker = try openBroker(directory)
        defer { broker.shutdown() }
        #expect(try broker.queues.list(topic: "t").isEmpty)
    }

    @Test func manyAckedOffsets_KeepStateSmallInMemoryAndOnDisk() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory)
        defer { broker.shutdown() }
        try broker.createTopic(name: "t")
        _ = try broker.queues.create(topic: "t", name: "q", options: .init(start: .earliest))
        for _ in 0..<20 { try produce(broker, "t", count: 5000) }
        var acked = 0
        for _ in 0..<200 {
            let got = try receive(broker, "t", "q", max: 1000)
            guard !got.isEmpty else { break }
            acked += try settle(broker, "t", "q", got.map(\.delivery.receipt), .ack).filter { $0 == .ok }.count
        }
        #expect(acked == 100_000)
        let box = try broker.queues.box(topic: "t", name: "q")
        let window = box.state.withLock { $0.windows[0] }
        #expect(window.floor == 100_000 && window.slotCapacity <= 1024)
        let journal = try #require(broker.storage.partition(topic: Broker.queueStateTopic, partition: 0))
        #expect(try #require(journal.sizeInBytes) < 64 << 10)
    }

    @Test func queueStateJournal_IsCompactedAtStartUp_AndKeepsCountsLeasesAndAcks() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var broker = try openBroker(directory)
        try broker.createTopic(name: "t", partitions: 2)
        _ = try broker.queues.create(topic: "t", name: "q", options: .init(start: .earliest, maxDeliveries: 5))
        _ = try broker.queues.create(topic: "t", name: "idle")
        try produce(broker, "t", count: 6_100, partition: 0)
        try produce(broker, "t", count: 10, partition: 1)
        // 6 000 receive+ack rounds of one message: 12 000 journal entries for a state of a few lines.
        for _ in 0..<6_000 {
            let got = try receive(broker, "t", "q", max: 1)
            #expect(try settle(broker, "t", "q", got.map(\.delivery.receipt), .ack) == [.ok])
        }
        // In flight at the restart: messages delivered twice and once, and one acked above the floor.
        let first = try receive(broker, "t", "q", max: 4, leaseMs: 100)
        clock.advance(by: 200)
        broker.queues.expireLeases()
        let second = try receive(broker, "t", "q", max: 2, leaseMs: 60_000)
        #expect(second.map(\.delivery.deliveryCount) == [2, 2])
        _ = try settle(broker, "t", "q", [second[1].delivery.receipt], .ack)
        let before = try broker.queues.status(topic: "t", name: "q")
        broker.shutdown()

        broker = try openBroker(directory)
        let journal = try #require(broker.storage.partition(topic: Broker.queueStateTopic, partition: 0))
        #expect(
            journal.startOffset > 12_000 && journal.endOffset - journal.startOffset < 20,
            "history replaced by a snapshot: [\(journal.startOffset), \(journal.endOffset))")
        for _ in 0..<2 {  // the snapshot itself replays to the same state
            let status = try broker.queues.status(topic: "t", name: "q")
            #expect(
                (status.available, status.leased, status.acked) == (before.available + before.leased, 0, before.acked))
            #expect(status.partitions.map(\.floorOffset) == before.partitions.map(\.floorOffset))
            #expect(try broker.queues.status(topic: "t", name: "idle").available == 6_110)
            broker.shutdown()
            broker = try openBroker(directory)
        }
        defer { broker.shutdown() }
        let again = try receive(broker, "t", "q", max: 200)
        struct Key: Hashable {
            var partition: Int
            var offset: Int64
        }
        func key(_ delivery: QueueDelivery) -> Key { Key(partition: delivery.partition, offset: delivery.offset) }
        var previous: [Key: Int] = [:]
        for item in first { previous[key(item.delivery)] = 1 }
        for item in second { previous[key(item.delivery)] = 2 }
        let acked = key(second[1].delivery)
        #expect(again.count == Int(before.available + before.leased))
        #expect(!again.contains { key($0.delivery) == acked })
        for item in again {
            #expect(item.delivery.deliveryCount == (previous[key(item.delivery)] ?? 0) + 1)
        }
    }
}
