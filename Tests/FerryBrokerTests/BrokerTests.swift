import FerryBroker
import FerryLog
import FerryTesting
import Logging
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Broker tests over the real embedded log in a temp dir.
struct BrokerTests {
    let clock = ManualClock()

    func openBroker(_ directory: TemporaryDirectory, autoCreate: Bool = true) throws -> Broker {
        let storage = try EmbeddedStorageEngine(
            dataDirectory: directory.path, flushPolicy: .never, logger: Logger(label: "test"), clock: clock.now)
        var configuration = BrokerConfiguration()
        configuration.autoCreateTopics = autoCreate
        return try Broker(storage: storage, configuration: configuration, now: clock.now)
    }

    static func batch(_ values: [String], keys: [String?]? = nil, partitions: [Int?]? = nil) -> ProduceBatch {
        var batch = ProduceBatch()
        for (i, value) in values.enumerated() {
            let key = keys?[i].map { batch.store($0.utf8) }
            let stored = batch.store("\"\(value)\"".utf8)
            batch.records.append(
                .init(
                    key: key, value: stored, valueFormat: .json, headers: 0..<0, partition: partitions?[i],
                    timestamp: nil))
        }
        return batch
    }

    /// Produces and waits for the durable callback (immediate with flush policy `never`).
    func produce(_ broker: Broker, _ topic: String, _ batch: ProduceBatch) throws -> [ProducedOffset] {
        let result = Mutex<Result<[ProducedOffset], BrokerError>?>(nil)
        try broker.produce(topic: topic, batch: batch) { outcome in result.withLock { $0 = outcome } }
        return try #require(result.withLock { $0 }).get()
    }

    func values(_ broker: Broker, _ topic: String, _ partition: Int) throws -> [String] {
        let storage = try broker.partition(topic: topic, partition: partition)
        var values: [String] = []
        try storage.readNow(from: storage.startOffset, maxMessages: 1000, maxBytes: 1 << 20).forEach { message in
            values.append(String(decoding: message.value!, as: UTF8.self))
        }
        return values
    }

    @Test func produce_StoresNothing_WhenOneRecordNamesAMissingPartition() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory)
        defer { broker.shutdown() }
        try broker.createTopic(name: "t", partitions: 2)
        #expect(throws: BrokerError.self) {
            try produce(broker, "t", Self.batch(["a", "b"], partitions: [0, 5]))
        }
        #expect(try values(broker, "t", 0).isEmpty)
    }

    @Test func produce_KeyedRecords_FollowMurmur2_AndKeylessRequestsRotate() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory)
        defer { broker.shutdown() }
        try broker.createTopic(name: "t", partitions: 4)
        let keys = ["customer-7", "foobar", "21", "kafka"]
        let offsets = try produce(broker, "t", Self.batch(keys, keys: keys))
        for (key, offset) in zip(keys, offsets) {
            #expect(offset.partition == Murmur2.partition(forKey: Array(key.utf8), partitionCount: 4))
        }
        var seen: [Int] = []
        for _ in 0..<4 {
            let keyless = try produce(broker, "t", Self.batch(["x", "y", "z"]))
            #expect(Set(keyless.map(\.partition)).count == 1, "one partition per request")
            seen.append(keyless[0].partition)
        }
        #expect(Set(seen).count == 4, "successive keyless requests rotate: \(seen)")
    }

    @Test func produce_AutoCreates_OnlyWhenAllowed() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory, autoCreate: false)
        defer { broker.shutdown() }
        #expect(throws: BrokerError.topicNotFound("new")) { try produce(broker, "new", Self.batch(["a"])) }
        #expect(throws: BrokerError.invalidTopicName("__x")) { try produce(broker, "__x", Self.batch(["a"])) }
    }

    @Test func groupState_SurvivesRestart() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        do {
            let broker = try openBroker(directory)
            try broker.createTopic(name: "t", partitions: 2)
            _ = try produce(broker, "t", Self.batch(["a", "b", "c"], partitions: [0, 0, 1]))
            let member = try broker.groups.join(group: "g", options: .init(topics: ["t"], autoOffsetReset: .earliest))
            try broker.groups.commit(
                group: "g", memberID: member.memberID,
                offsets: [(TopicPartition(topic: "t", partition: 0), 2), (TopicPartition(topic: "t", partition: 1), 1)]
            ) { _ in }
            try broker.groups.resetOffsets(group: "other", topic: "t", partition: 0, to: .latest) { _ in }
            try broker.groups.resetOffsets(group: "gone", topic: "t", partition: 0, to: .latest) { _ in }
            try broker.groups.delete(group: "gone")
            broker.shutdown()
        }
        let broker = try openBroker(directory)
        defer { broker.shutdown() }
        #expect(try broker.groups.describe(group: "g").offsets.map(\.committedOffset) == [2, 1])
        #expect(try broker.groups.describe(group: "other").offsets.map(\.committedOffset) == [2, nil])
        #expect(broker.groups.list().map(\.group) == ["g", "other"])
        let again = try broker.groups.join(group: "g", options: .init(topics: ["t"]))
        let plan = try broker.groups.beginFetch(group: "g", memberID: again.memberID)
        #expect(plan.positions.map(\.offset) == [2, 1])
        #expect(broker.listTopics().map(\.name) == ["t"], "internal topics stay hidden")
    }

    @Test func deleteTopic_ClearsGroupOffsets_AndFiles() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory)
        defer { broker.shutdown() }
        try broker.createTopic(name: "t", partitions: 1)
        try broker.groups.resetOffsets(group: "g", topic: "t", partition: nil, to: .latest) { _ in }
        try broker.deleteTopic("t")
        #expect(throws: BrokerError.topicNotFound("t")) { try broker.describeTopic("t") }
        #expect(try broker.groups.describe(group: "g").offsets.isEmpty)
        #expect(access(directory.path + "/topics/t", F_OK) != 0)
    }

    @Test func alterTopic_GrowsPartitions_RefusesShrinking_AndKeepsConfig() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory)
        defer { broker.shutdown() }
        var config = TopicConfig()
        config.retentionMs = 1000
        try broker.createTopic(name: "t", partitions: 2, config: config)
        let grown = try broker.alterTopic("t", partitions: 5) { config throws(BrokerError) in
            try config.set("segment_bytes", integer: 4096)
        }
        #expect(grown.partitionCount == 5 && grown.config.segmentBytes == 4096 && grown.config.retentionMs == 1000)
        #expect(throws: BrokerError.self) { try broker.alterTopic("t", partitions: 1) { _ in } }
    }

    @Test func groupStateJournal_IsCompactedAtStartUp_AndKeepsTheState() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        do {
            let broker = try openBroker(directory)
            try broker.createTopic(name: "t", partitions: 2)
            _ = try produce(
                broker, "t", Self.batch((0..<20).map(String.init), partitions: Array(repeating: 0, count: 20)))
            let member = try broker.groups.join(group: "g", options: .init(topics: ["t"], autoOffsetReset: .earliest))
            for offset in 0..<12_000 {
                try broker.groups.commit(
                    group: "g", memberID: member.memberID,
                    offsets: [(TopicPartition(topic: "t", partition: 0), Int64(offset % 21))]
                ) { _ in }
            }
            broker.shutdown()
        }
        let state = try openBroker(directory)
        let journal = state.storage.partition(topic: Broker.groupStateTopic, partition: 0).map {
            ($0.startOffset, $0.endOffset)
        }
        #expect(try state.groups.describe(group: "g").offsets.map(\.committedOffset) == [Int64(11_999 % 21), nil])
        let (start, end) = try #require(journal)
        #expect(start > 10_000 && end - start < 10, "history replaced by a snapshot: [\(start), \(end))")
        state.shutdown()
        let again = try openBroker(directory)
        defer { again.shutdown() }
        #expect(try again.groups.describe(group: "g").offsets.map(\.committedOffset) == [Int64(11_999 % 21), nil])
    }
}
