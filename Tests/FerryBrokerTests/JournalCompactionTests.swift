import FerryLog
import FerrySystem
import FerryTesting
import Logging
import Synchronization
import Testing

@testable import FerryBroker

/// Online compaction of the internal journals: while queues, groups and subscriptions change on other threads,
/// compaction replaces the journals' histories by snapshots, and a restart rebuilds exactly the state the
/// broker had.
struct JournalCompactionTests {
    let clock = ManualClock()

    func openBroker(_ directory: TemporaryDirectory) throws -> Broker {
        let storage = try EmbeddedStorageEngine(
            dataDirectory: directory.path, flushPolicy: .never, logger: Logger(label: "test"), clock: clock.now)
        return try Broker(storage: storage, now: clock.now)
    }

    func produce(_ broker: Broker, _ topic: String, count: Int) throws {
        var batch = ProduceBatch()
        for i in 0..<count {
            batch.records.append(
                .init(
                    key: nil, value: batch.store("\(i)".utf8), valueFormat: .json, headers: 0..<0, partition: i % 4,
                    timestamp: nil))
        }
        try broker.produce(topic: topic, batch: batch) { _ in }
    }

    /// What a restart must rebuild.
    struct Observed: Equatable {
        var queue: QueueStatus
        var group: [GroupDescription.PartitionOffset]
        var subscription: SubscriptionStatus
    }

    func observe(_ broker: Broker) throws -> Observed {
        Observed(
            queue: try broker.queues.status(topic: "t", name: "q"),
            group: try broker.groups.describe(group: "g").offsets,
            subscription: try broker.subscriptions.status(topic: "t", name: "s"))
    }

    func historyLines(_ broker: Broker, _ topic: String) throws -> Int64 {
        let journal = try #require(broker.storage.partition(topic: topic, partition: 0))
        return journal.endOffset - journal.startOffset
    }

    @Test func journals_AreCompactedWhileInUse_AndARestartRebuildsTheSameState() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var broker = try openBroker(directory)
        try broker.createTopic(name: "t", partitions: 4)
        try produce(broker, "t", count: 8_000)
        _ = try broker.queues.create(topic: "t", name: "q", options: .init(start: .earliest))
        let member = try broker.groups.join(group: "g", options: .init(topics: ["t"])).memberID
        try broker.subscriptions.create(
            SubscriptionConfig(topic: "t", name: "s", url: "http://127.0.0.1:9/hook"), start: .earliest
        ) { _ in }

        // Two queue workers (receive one or two, ack), a group committer and a subscription seeker run while
        // this thread compacts every journal over and over.
        let finished = FinishedCount()
        let workers = [
            SystemThread(name: "worker-a") { [broker] in queueWorker(broker, batch: 1, finished) },
            SystemThread(name: "worker-b") { [broker] in queueWorker(broker, batch: 2, finished) },
            SystemThread(name: "committer") { [broker] in
                for i in 0..<6_000 {
                    let partition = TopicPartition(topic: "t", partition: i % 4)
                    try? broker.groups.commit(group: "g", memberID: member, offsets: [(partition, Int64(i / 4))]) { _ in
                    }
                }
                finished.count.add(1, ordering: .relaxed)
            },
            SystemThread(name: "seeker") { [broker] in
                for i in 0..<6_000 {
                    try? broker.subscriptions.seek(
                        topic: "t", name: "s", to: .offset(Int64(i / 4), partition: i % 4)
                    ) { _ in }
                }
                finished.count.add(1, ordering: .relaxed)
            },
        ]
        var compactions = 0
        while finished.count.load(ordering: .relaxed) < workers.count {
            compactions += 1
            #expect(broker.soleShard.compactJournalsIfDue(now: clock.now(), force: true).isEmpty)
        }
        workers.forEach { $0.join() }
        #expect(compactions > 1)
        // Everything was acked and the last writes are in place; the histories are snapshots plus a tail.
        let before = try observe(broker)
        #expect(before.queue.acked == 8_000 && before.queue.available == 0 && before.queue.leased == 0)
        #expect(before.group.map(\.committedOffset) == [1_499, 1_499, 1_499, 1_499])
        #expect(before.subscription.lag == 4 * (2_000 - 1_499))
        #expect(broker.soleShard.compactJournalsIfDue(now: clock.now(), force: true).isEmpty)
        for topic in [Broker.groupStateTopic, Broker.queueStateTopic, Broker.subscriptionStateTopic] {
            #expect(try historyLines(broker, topic) < InternalLineJournal.compactionThreshold, "\(topic)")
        }
        broker.shutdown()

        broker = try openBroker(directory)
        #expect(try observe(broker) == before)
        broker.shutdown()
    }

    @Test func compaction_IsDueOnlyWhenTheHistoryIsLongAndMuchLongerThanTheLastSnapshot() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory)
        try broker.createTopic(name: "t", partitions: 4)
        let member = try broker.groups.join(group: "g", options: .init(topics: ["t"])).memberID
        let journal = try #require(broker.soleShard.journals.first { $0.topic == Broker.groupStateTopic }).journal
        var commits = 0
        func commit(_ count: Int) throws {
            for _ in 0..<count {
                commits += 1
                try broker.groups.commit(
                    group: "g", memberID: member, offsets: [(TopicPartition(topic: "t", partition: commits % 4), 0)]
                ) { _ in }
            }
        }
        try commit(Int(InternalLineJournal.compactionThreshold) - 10)
        #expect(!journal.isCompactionDue)
        try commit(20)
        #expect(journal.isCompactionDue)
        // Housekeeping looks at most once a second (start-up just looked); the snapshot it writes is the topics
        // line and four commits.
        broker.housekeeping()
        #expect(journal.isCompactionDue)
        clock.advance(by: BrokerShard.compactionCheckIntervalMilliseconds)
        broker.housekeeping()
        #expect(!journal.isCompactionDue)
        #expect(journal.historyLines == 5 && journal.snapshotLines.load(ordering: .relaxed) == 5)
        #expect(try broker.groups.describe(group: "g").offsets.map(\.committedOffset) == [0, 0, 0, 0])
    }
}

/// Receives `batch` messages and acks them until the queue has none available, then counts itself finished.
private func queueWorker(_ broker: Broker, batch: Int, _ finished: FinishedCount) {
    defer { finished.count.add(1, ordering: .relaxed) }
    while true {
        var receipts: [String] = []
        do {
            try broker.queues.receiveNow(topic: "t", name: "q", maxMessages: batch, leaseMilliseconds: 600_000).forEach
            {
                _, delivery in
                receipts.append(delivery.receipt.text)
            }
        } catch {
            return
        }
        if receipts.isEmpty { return }
        try? broker.queues.settle(topic: "t", name: "q", receipts: receipts, .ack) { _ in }
    }
}

/// How many worker threads are done.
private final class FinishedCount: Sendable {
    let count = Atomic<Int>(0)
}
