import Synchronization

/// One subscription's durable state plus the per-partition "current batch has failed" flags (not journaled).
struct SubscriptionRecord: Sendable {
    var config: SubscriptionConfig
    var positions: [Int64]
    var generation: Int64
    var stats: SubscriptionStats
    var failing: Set<Int> = []
}

/// Webhook subscriptions (API.md "Webhook subscriptions"): their config, committed positions per partition and
/// counters, journaled to `__ferry_subscriptions`. The delivery itself is done elsewhere (FerryAPI's dispatcher),
/// which reads ``snapshot(topic:name:)``, reports outcomes (``commit(_:)``, ``recordFailure(_:)``,
/// ``disable(topic:name:generation:)``) and is told of changes through ``addObserver(_:)``.
///
/// Thread-safety: every method may be called from any thread. One `Mutex` guards all subscriptions; journal
/// entries are appended while it is held (journal order is change order). Durability callbacks and observers
/// run outside the lock. Nothing blocks on `fsync`.
public final class SubscriptionRegistry: Sendable {
    let journal: SubscriptionStateLog
    let now: @Sendable () -> Int64
    let broker = Mutex<WeakBroker>(WeakBroker(nil))
    let records = Mutex<[SubscriptionKey: SubscriptionRecord]>([:])

    /// How many subscriptions there are (on every topic).
    public var count: Int { records.withLock { $0.count } }
    let observers = Mutex<[@Sendable (_ topic: String, _ name: String) -> Void]>([])

    init(journal: SubscriptionStateLog, now: @escaping @Sendable () -> Int64) {
        self.journal = journal
        self.now = now
    }

    /// Rebuilds every subscription from the journal (start-up, before any other call); those whose topic no
    /// longer exists are dropped. Returns the number of entries replayed.
    @discardableResult
    func restore() throws(BrokerError) -> Int {
        let entries = try journal.replay()
        var state: [SubscriptionKey: SubscriptionRecord] = [:]
        for entry in entries {
            switch entry {
            case .created(let config, let positions, let generation, let stats):
                state[SubscriptionKey(topic: config.topic, name: config.name)] = SubscriptionRecord(
                    config: config, positions: positions, generation: generation, stats: stats)
            case .updated(let config):
                state[SubscriptionKey(topic: config.topic, name: config.name)]?.config = config
            case .deleted(let topic, let name):
                state[SubscriptionKey(topic: topic, name: name)] = nil
            case .committed(let topic, let name, let partition, let offset, let stats):
                let key = SubscriptionKey(topic: topic, name: name)
                guard var record = state[key], partition >= 0, partition < 1 << 20 else { continue }
                Self.setPosition(&record, partition: partition, offset: offset)
                record.stats = stats
                state[key] = record
            case .seeked(let topic, let name, let generation, let positions):
                let key = SubscriptionKey(topic: topic, name: name)
                state[key]?.positions = positions
                state[key]?.generation = generation
            }
        }
        var gone: [SubscriptionJournalEntry] = []
        for key in state.keys where partitions(of: key.topic) == nil {
            state[key] = nil
            gone.append(.deleted(topic: key.topic, name: key.name))
        }
        journal.append(gone) { _ in }
        records.withLock { $0 = state }
        return entries.count
    }

    /// Appends the live state (one `created` per subscription) to the journal while holding the lock every
    /// change is journaled under (the journal's online compaction, see
    /// ``InternalLineJournal/compact(appendSnapshot:)``). Returns how many entries it appended.
    func appendSnapshot() -> Int {
        records.withLock { records in
            let entries: [SubscriptionJournalEntry] = records.values.map {
                .created($0.config, positions: $0.positions, generation: $0.generation, stats: $0.stats)
            }
            journal.append(entries) { _ in }
            return entries.count
        }
    }

    /// Calls `observer(topic, name)` after every create, update, delete, seek or disable (outside the lock,
    /// on the changing thread).
    public func addObserver(_ observer: @escaping @Sendable (_ topic: String, _ name: String) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    func notify(_ key: SubscriptionKey) {
        let list = observers.withLock { $0 }
        for observer in list { observer(key.topic, key.name) }
    }

    static func setPosition(_ record: inout SubscriptionRecord, partition: Int, offset: Int64) {
        while record.positions.count <= partition { record.positions.append(0) }
        record.positions[partition] = offset
    }

    // MARK: Topics

    /// The topic's partitions in order, or nil when it does not exist.
    func partitions(of topic: String) -> [any PartitionStorage]? {
        broker.withLock { $0.value }?.partitions(of: topic)
    }

    /// Positions padded to the topic's partition count (a partition added later starts at its first offset).
    static func positions(_ record: SubscriptionRecord, partitions: [any PartitionStorage]) -> [Int64] {
        partitions.indices.map { p in p < record.positions.count ? record.positions[p] : partitions[p].startOffset }
    }

    /// Ends every subscription on `topic` (the topic was deleted).
    public func topicDeleted(_ topic: String) {
        let removed = records.withLock { records -> [SubscriptionKey] in
            let keys = records.keys.filter { $0.topic == topic }
            for key in keys { records[key] = nil }
            journal.append(keys.map { .deleted(topic: $0.topic, name: $0.name) }) { _ in }
            return keys
        }
        removed.forEach(notify)
    }
}
