import Logging
import Synchronization

/// One shard of Ferry's own state: the consumer groups, queues, webhook subscriptions and remembered
/// `Idempotency-Key` answers whose names hash to partition ``index`` of the internal `__ferry_*` topics
/// (``StateShardKey``), with their journals in that partition.
///
/// Ownership: a broker holds the shards its node owns (all of them on one node; on a cluster of gateways, the
/// ones Kafka's group protocol assigned to it) and is the only writer of their journals. A shard is built by
/// replaying its journals (blocks on storage reads) and ends with ``close(timeoutMilliseconds:)``, which fences
/// its journals so that nothing is written once another node may have taken over. Thread-safe.
public final class BrokerShard: Sendable {
    /// The partition of the internal topics this shard's state lives in.
    public let index: Int
    public let groups: GroupCoordinator
    public let queues: QueueCoordinator
    /// Webhook subscriptions' durable state (delivery is the dispatcher's, on the owning node).
    public let subscriptions: SubscriptionRegistry
    public let idempotency: IdempotencyCache
    /// The journals and their owners' snapshots, compacted by ``compactJournalsIfDue(now:force:)``.
    let journals: [CompactableJournal]
    /// Wall-clock milliseconds before which housekeeping does not look at the journals again.
    let nextCompactionCheck = Atomic<Int64>(0)

    /// Replays partition `index` of the internal topics into fresh coordinators. Blocks on storage reads.
    init(index: Int, broker: Broker) throws(BrokerError) {
        self.index = index
        let storage = broker.storage
        let now = broker.now
        func journalPartition(_ topic: String) throws(BrokerError) -> any PartitionStorage {
            guard let partition = storage.partition(topic: topic, partition: index) else {
                throw .internal("internal topic \(topic) has no partition \(index)")
            }
            return partition
        }
        let groupJournal = GroupStateLog(partition: try journalPartition(Broker.groupStateTopic), now: now)
        let source = BrokerTopicSource()
        source.broker.withLock { $0 = WeakBroker(broker) }
        groups = GroupCoordinator(topics: source, journal: groupJournal, now: now)

        let idempotencyJournal = IdempotencyStateLog(
            partition: try journalPartition(Broker.idempotencyStateTopic), now: now)
        idempotency = IdempotencyCache(
            windowMilliseconds: broker.configuration.idempotencyWindowMilliseconds, now: now,
            journal: idempotencyJournal)

        let queueAccess = BrokerQueueAccess()
        queueAccess.broker.withLock { $0 = WeakBroker(broker) }
        let queueJournal = QueueStateLog(partition: try journalPartition(Broker.queueStateTopic), now: now)
        queues = QueueCoordinator(access: queueAccess, journal: queueJournal, now: now)

        subscriptions = SubscriptionRegistry(
            journal: SubscriptionStateLog(partition: try journalPartition(Broker.subscriptionStateTopic), now: now),
            now: now)
        subscriptions.broker.withLock { $0 = WeakBroker(broker) }

        // Journals only grow (every commit, receive, ack and position adds a line): each is replaced by a
        // snapshot of its owner's state when long, here and then online by housekeeping.
        journals = [
            CompactableJournal(
                topic: Broker.groupStateTopic, journal: groupJournal.journal, appendSnapshot: groups.appendSnapshot),
            CompactableJournal(
                topic: Broker.queueStateTopic, journal: queueJournal.journal, appendSnapshot: queues.appendSnapshot),
            CompactableJournal(
                topic: Broker.subscriptionStateTopic, journal: subscriptions.journal.journal,
                appendSnapshot: subscriptions.appendSnapshot),
            CompactableJournal(
                topic: Broker.idempotencyStateTopic, journal: idempotencyJournal.journal,
                appendSnapshot: idempotency.appendSnapshot),
        ]
        groups.restore(try groupJournal.replay())
        _ = idempotency.restore(try idempotencyJournal.replay().entries)
        _ = try queues.restore(queueJournal.replay)
        _ = try subscriptions.restore()
        if let failure = compactJournalsIfDue(now: now(), force: true).first { throw failure.error }
    }

    /// Periodic work of the shard's owner: evicts silent group members, ends leases, forgets old idempotency
    /// keys, compacts long journals (blocks on fsync when one is due).
    func housekeeping(now: Int64, logger: Logger) {
        groups.evictExpiredMembers()
        queues.expireLeases()
        idempotency.purgeExpired()
        for failure in compactJournalsIfDue(now: now) {
            logger.warning(
                "journal compaction failed; its history is kept and compaction retried in a minute",
                metadata: ["topic": "\(failure.topic)", "partition": "\(index)", "error": "\(failure.error)"])
        }
    }

    /// A topic was created, grew or went away: groups follow it; queues and subscriptions on a deleted one end.
    func topicChanged(_ name: String, deleted: Bool) {
        groups.topicChanged(name, deleted: deleted)
        guard deleted else { return }
        queues.topicDeleted(name)
        subscriptions.topicDeleted(name)
    }

    /// Stops the shard's journals taking appends (they fail with `unavailable`, so their requests are answered
    /// 503 and retried on the new owner) and waits, at most `timeoutMilliseconds`, for appends already under way
    /// to finish. Called when the node gives the shard up; blocks.
    func close(timeoutMilliseconds: Int) {
        for entry in journals { entry.journal.fence() }
        for entry in journals { entry.journal.awaitPendingAppends(timeoutMilliseconds: timeoutMilliseconds) }
    }
}
