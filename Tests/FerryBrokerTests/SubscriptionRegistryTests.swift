import FerryLog
import FerryTesting
import Logging
import Synchronization
import Testing

@testable import FerryBroker

/// The subscription registry over a real broker and embedded log in a temp dir: journal format, durable state
/// across reopen, stale outcomes, compaction at start-up.
struct SubscriptionRegistryTests {
    let clock = ManualClock()

    func openBroker(_ directory: TemporaryDirectory) throws -> Broker {
        let storage = try EmbeddedStorageEngine(
            dataDirectory: directory.path, flushPolicy: .never, logger: Logger(label: "test"), clock: clock.now)
        return try Broker(storage: storage, now: clock.now)
    }

    func produce(_ broker: Broker, _ topic: String, count: Int, partition: Int) throws {
        var batch = ProduceBatch()
        for i in 0..<count {
            batch.records.append(
                .init(
                    key: nil, value: batch.store("\(i)".utf8), valueFormat: .json, headers: 0..<0, partition: partition,
                    timestamp: nil))
        }
        try broker.produce(topic: topic, batch: batch) { _ in }
    }

    /// Runs a registry call and returns its durable result (immediate with flush policy `never`).
    func durable(_ call: (@escaping @Sendable (Result<Void, BrokerError>) -> Void) throws -> Void) throws {
        let result = Mutex<Result<Void, BrokerError>?>(nil)
        try call { outcome in result.withLock { $0 = outcome } }
        _ = try #require(result.withLock { $0 }).get()
    }

    static let config = SubscriptionConfig(
        topic: "t", name: "s", url: "http://h/x?a=1,b=2;c", secret: "whsec_a%b\tc", batchSize: 10, maxAttempts: 3,
        timeoutMilliseconds: 500, headers: [.init(name: "Authorization", value: "Bearer a=b;c,d")],
        filter: [.init(name: "type", value: "x\ny")])

    @Test func journalLines_RoundTrip_WithEscapedTextAndOptionals() {
        var stats = SubscriptionStats()
        stats.delivered = 7
        stats.failedAttempts = 2
        stats.lastStatus = 500
        stats.lastError = "HTTP 500,\tbad=1;%"
        var empty = Self.config
        empty.secret = nil
        empty.filter = []
        empty.headers = []
        let entries: [SubscriptionJournalEntry] = [
            .created(Self.config, positions: [3, 0, 9], generation: 42, stats: stats),
            .created(empty, positions: [], generation: 1, stats: SubscriptionStats()),
            .updated(Self.config), .deleted(topic: "t", name: "s"),
            .committed(topic: "t", name: "s", partition: 2, offset: 10, stats: stats),
            .seeked(topic: "t", name: "s", generation: 43, positions: [0, 0]),
        ]
        for entry in entries {
            let line = SubscriptionStateLog.encode(entry)
            #expect(!line.contains("\n"))
            #expect(SubscriptionStateLog.decode(line) == entry, "\(line)")
        }
        #expect(SubscriptionStateLog.decode("c\tgarbage") == nil && SubscriptionStateLog.decode("") == nil)
    }

    @Test func create_Throws_ForBadInput() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory)
        let registry = broker.subscriptions
        #expect(throws: BrokerError.topicNotFound("t")) {
            try durable { try registry.create(Self.config, start: .latest, onDurable: $0) }
        }
        try broker.createTopic(name: "t")
        var bad = Self.config
        bad.batchSize = 0
        #expect(throws: BrokerError.invalidParameter(name: "batch_size", reason: "must be an integer in 1...1000")) {
            try durable { try registry.create(bad, start: .latest, onDurable: $0) }
        }
        bad = Self.config
        bad.name = "no spaces"
        #expect(throws: BrokerError.invalidName(kind: "subscription", name: "no spaces")) {
            try durable { try registry.create(bad, start: .latest, onDurable: $0) }
        }
        try durable { try registry.create(Self.config, start: .latest, onDurable: $0) }
        #expect(throws: BrokerError.subscriptionExists(topic: "t", name: "s")) {
            try durable { try registry.create(Self.config, start: .latest, onDurable: $0) }
        }
        #expect(throws: BrokerError.subscriptionNotFound(topic: "t", name: "x")) {
            try registry.status(topic: "t", name: "x")
        }
    }

    @Test func state_SurvivesReopen_AndStaleCommitsAreIgnored() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var broker = try openBroker(directory)
        try broker.createTopic(name: "t", partitions: 2)
        try produce(broker, "t", count: 5, partition: 0)
        try produce(broker, "t", count: 3, partition: 1)
        try durable { try broker.subscriptions.create(Self.config, start: .earliest, onDurable: $0) }
        let first = try #require(broker.subscriptions.snapshot(topic: "t", name: "s"))
        #expect(first.positions == [0, 0] && first.config.createdAt == clock.now())
        #expect(
            broker.subscriptions.commit(
                topic: "t", name: "s",
                .init(
                    generation: first.generation, partition: 0, from: 0, to: 4, delivered: 4, deadLettered: 0,
                    status: 200)))
        broker.subscriptions.recordFailure(
            topic: "t", name: "s", generation: first.generation, partition: 1, status: 503, error: "HTTP 503")
        #expect(try broker.subscriptions.status(topic: "t", name: "s").state == .failing)
        // A commit from an older generation (before a seek) changes nothing.
        clock.advance(by: 10)
        try durable {
            try broker.subscriptions.seek(topic: "t", name: "s", to: .offset(1, partition: 1), onDurable: $0)
        }
        #expect(
            !broker.subscriptions.commit(
                topic: "t", name: "s",
                .init(
                    generation: first.generation, partition: 1, from: 0, to: 3, delivered: 3, deadLettered: 0,
                    status: 200)))
        var patch = SubscriptionPatch()
        patch.paused = true
        patch.secret = .some(nil)
        patch.filter = .some(nil)
        try durable { try broker.subscriptions.update(topic: "t", name: "s", patch, onDurable: $0) }
        let before = try broker.subscriptions.status(topic: "t", name: "s")
        #expect(before.state == .paused && before.lag == 1 + 2 && before.stats.delivered == 4)
        broker.shutdown()

        broker = try openBroker(directory)
        let after = try broker.subscriptions.status(topic: "t", name: "s")
        #expect(after.config == before.config && after.lag == before.lag && after.stats.delivered == 4)
        #expect(after.config.secret == nil && after.config.filter == nil && after.config.paused)
        let snapshot = try #require(broker.subscriptions.snapshot(topic: "t", name: "s"))
        #expect(snapshot.positions == [4, 1] && snapshot.generation > first.generation)
        try durable { try broker.subscriptions.delete(topic: "t", name: "s", onDurable: $0) }
        broker.shutdown()
        broker = try openBroker(directory)
        #expect(try broker.subscriptions.list(topic: "t").isEmpty)
        broker.shutdown()
    }

    @Test func journal_IsCompactedAtStartUp_WhenHistoryIsLong() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var broker = try openBroker(directory)
        try broker.createTopic(name: "t")
        try produce(broker, "t", count: 1, partition: 0)
        try durable { try broker.subscriptions.create(Self.config, start: .earliest, onDurable: $0) }
        let generation = try #require(broker.subscriptions.snapshot(topic: "t", name: "s")).generation
        // Many commits of the same position range (each is one journal entry).
        for _ in 0..<10_050 {
            _ = broker.subscriptions.commit(
                topic: "t", name: "s",
                .init(generation: generation, partition: 0, from: 0, to: 0, delivered: 0, deadLettered: 0, status: 200))
        }
        #expect(
            broker.subscriptions.commit(
                topic: "t", name: "s",
                .init(generation: generation, partition: 0, from: 0, to: 1, delivered: 1, deadLettered: 0, status: 200))
        )
        broker.shutdown()

        broker = try openBroker(directory)
        let journal = try #require(broker.storage.partition(topic: Broker.subscriptionStateTopic, partition: 0))
        #expect(journal.endOffset - journal.startOffset < 10)
        let status = try broker.subscriptions.status(topic: "t", name: "s")
        #expect(
            status.lag == 0 && status.stats.delivered == 1
                && status.config == Self.config.with(createdAt: status.config.createdAt))
        broker.shutdown()
    }
}

extension SubscriptionConfig {
    func with(createdAt: Int64) -> SubscriptionConfig {
        var copy = self
        copy.createdAt = createdAt
        return copy
    }
}
