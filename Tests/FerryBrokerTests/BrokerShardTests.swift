import FerryLog
import FerrySystem
import FerryTesting
import Logging
import Synchronization
import Testing

@testable import FerryBroker

/// Ferry's own state split into shards (the partitions of the `__ferry_*` topics): each group, queue and
/// subscription lives in the shard its name hashes to; a node serves only the shards it holds, gives one up
/// with its journals fenced, and another load of the shard replays exactly the state it had.
struct BrokerShardTests {
    let clock = ManualClock()

    func openBroker(_ directory: TemporaryDirectory, shards: Int, ownsAll: Bool) throws -> Broker {
        let storage = try EmbeddedStorageEngine(
            dataDirectory: directory.path, flushPolicy: .never, logger: Logger(label: "test"), clock: clock.now)
        var configuration = BrokerConfiguration()
        configuration.stateShards = shards
        configuration.ownsAllShards = ownsAll
        return try Broker(storage: storage, configuration: configuration, now: clock.now)
    }

    @Test func internalTopics_HaveOnePartitionPerShard_AndKeysSpreadOverShards() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory, shards: 8, ownsAll: true)
        #expect(broker.stateShardCount == 8 && broker.localShards.map(\.index) == Array(0..<8))
        for topic in [
            Broker.groupStateTopic, Broker.queueStateTopic, Broker.subscriptionStateTopic, Broker.idempotencyStateTopic,
        ] {
            #expect(broker.storage.partition(topic: topic, partition: 7) != nil, "\(topic)")
            #expect(broker.storage.partition(topic: topic, partition: 8) == nil, "\(topic)")
        }
        let used = Set((0..<200).map { broker.shardIndex(of: .group("group-\($0)")) })
        #expect(used == Set(0..<8))
        // Pinned: every gateway, version after version, must find a key's state in the same shard (murmur2 of
        // "kind NUL names", as computed independently with Kafka's murmur2).
        #expect(StateShardKey.group("billing").shard(among: 16) == 14)
        #expect(StateShardKey.queue(topic: "orders", name: "jobs").shard(among: 16) == 0)
        #expect(StateShardKey.subscription(topic: "orders", name: "audit").shard(among: 16) == 2)
        #expect(StateShardKey.idempotency(topic: "orders", key: "k1").shard(among: 16) == 2)
        #expect(StateShardKey.group("anything").shard(among: 1) == 0)
        broker.shutdown()
        // A restart asking for another count keeps the topics' (the state is where it was written).
        let reopened = try openBroker(directory, shards: 3, ownsAll: true)
        #expect(reopened.stateShardCount == 8)
        reopened.shutdown()
    }

    @Test func aShardGivenUp_RefusesRequests_AndLoadingItAgainReplaysItsState() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let broker = try openBroker(directory, shards: 4, ownsAll: false)
        #expect(broker.localShards.isEmpty)
        #expect(throws: BrokerError.self) { try broker.shard(for: .group("g")) }
        try broker.createTopic(name: "t", partitions: 2)
        let groupShard = broker.shardIndex(of: .group("g"))
        let queueShard = broker.shardIndex(of: .queue(topic: "t", name: "q"))
        let changes = Mutex<[String]>([])
        broker.observeShards { change in
            switch change {
            case .loaded(let shard): changes.withLock { $0.append("+\(shard.index)") }
            case .unloaded(let shard): changes.withLock { $0.append("-\(shard.index)") }
            }
        }
        let shard = try broker.loadShard(groupShard)
        let queues = try broker.loadShard(queueShard).queues
        let member = try shard.groups.join(group: "g", options: .init(topics: ["t"])).memberID
        let committed = Mutex<[Result<Void, BrokerError>]>([])
        try shard.groups.commit(group: "g", memberID: member, offsets: [(TopicPartition(topic: "t", partition: 0), 0)])
        {
            result in committed.withLock { $0.append(result) }
        }
        _ = try queues.create(topic: "t", name: "q", options: .init(start: .earliest)) { _ in }
        #expect(committed.withLock { $0.count } == 1)

        broker.unloadShard(groupShard)
        #expect(throws: BrokerError.self) { try broker.shard(for: .group("g")) }
        // The coordinator a request still holds writes nothing once its shard was given up.
        try shard.groups.commit(group: "g", memberID: member, offsets: [(TopicPartition(topic: "t", partition: 1), 0)])
        {
            result in committed.withLock { $0.append(result) }
        }
        let results = committed.withLock { $0 }
        #expect(results.count == 2)
        if case .failure(.unavailable) = results.last {
        } else {
            Issue.record("a fenced journal took an append: \(results)")
        }

        let again = try broker.loadShard(groupShard)
        #expect(again !== shard)
        let offsets = try again.groups.describe(group: "g").offsets
        #expect(offsets.map(\.committedOffset) == [0, nil])
        #expect(try broker.shard(for: .queue(topic: "t", name: "q")).queues.status(topic: "t", name: "q").name == "q")
        let seen = changes.withLock { $0 }
        let expected =
            groupShard == queueShard
            ? ["+\(groupShard)", "-\(groupShard)", "+\(groupShard)"]
            : ["+\(groupShard)", "+\(queueShard)", "-\(groupShard)", "+\(groupShard)"]
        #expect(seen == expected)
        broker.shutdown()
    }
}
