import FerryLog
import FerrySystem
import FerryTesting
import Logging
import Testing

@testable import FerryBroker

/// Data dirs written before the internal topics were named `__ferry_*` open with their state, also when the
/// previous start-up was interrupted half-way through the rename.
struct InternalTopicMigrationTests {
    let clock = ManualClock()

    func openBroker(_ directory: TemporaryDirectory) throws -> Broker {
        let storage = try EmbeddedStorageEngine(
            dataDirectory: directory.path, flushPolicy: .never, logger: Logger(label: "test"), clock: clock.now)
        return try Broker(storage: storage, now: clock.now)
    }

    /// A data dir with a group's committed offset, a queue and a subscription, then laid out under the old
    /// names; `interrupted` leaves the group journal moved but its `topic.json` still naming the old topic.
    func legacyDataDirectory(interrupted: Bool) throws -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        let broker = try openBroker(directory)
        try broker.createTopic(name: "t", partitions: 2)
        let member = try broker.groups.join(group: "g", options: .init(topics: ["t"])).memberID
        try broker.groups.commit(group: "g", memberID: member, offsets: [(TopicPartition(topic: "t", partition: 1), 0)])
        { _ in }
        _ = try broker.queues.create(topic: "t", name: "q")
        try broker.subscriptions.create(
            SubscriptionConfig(topic: "t", name: "s", url: "http://127.0.0.1:9/"), start: .latest
        ) { _ in }
        broker.shutdown()
        let back = Broker.legacyInternalTopics.map { (old: $0.new, new: $0.old) }
        try LogManager.renameTopics(in: directory.path, back)
        if interrupted {
            let topics = directory.path + "/topics/"
            try FileSystem.rename(topics + "__consumer_offsets", to: topics + Broker.groupStateTopic)
        }
        return directory
    }

    @Test(arguments: [false, true])
    func legacyNames_AreRenamedAtStartUp_AndTheStateIsKept(interrupted: Bool) throws {
        let directory = try legacyDataDirectory(interrupted: interrupted)
        defer { directory.remove() }
        let names = try FileSystem.contentsOfDirectory(directory.path + "/topics").sorted()
        #expect(names.contains("__queue_state") && names.contains("__subscriptions"))
        #expect(names.contains("__consumer_offsets") == !interrupted)

        let broker = try openBroker(directory)
        defer { broker.shutdown() }
        let renamed = try FileSystem.contentsOfDirectory(directory.path + "/topics").sorted()
        #expect(renamed == ["__ferry_groups", "__ferry_idempotency", "__ferry_queues", "__ferry_subscriptions", "t"])
        #expect(try broker.groups.describe(group: "g").offsets.map(\.committedOffset) == [nil, 0])
        #expect(try broker.queues.status(topic: "t", name: "q").name == "q")
        #expect(try broker.subscriptions.status(topic: "t", name: "s").config.url == "http://127.0.0.1:9/")
        #expect(broker.metadata(of: "__consumer_offsets") == nil)
    }
}
