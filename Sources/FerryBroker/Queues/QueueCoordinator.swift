import Synchronization

/// The topics a queue coordinator works on: partitions to read and a way to produce dead letters.
/// Safe from any thread.
protocol QueueTopicAccess: Sendable {
    /// The topic's partitions in order, or nil when the topic does not exist.
    func partitions(of topic: String) -> [any PartitionStorage]?
    /// Appends `batch` to `topic` (created on demand); `completion` runs once it is durable, or with the error.
    func deadLetter(
        topic: String, batch: ProduceBatch, completion: @escaping @Sendable (Result<Void, BrokerError>) -> Void)
}

/// Queues (API.md "Queues"): point-to-point delivery over topics with leases, acks and dead letters.
///
/// Each queue is a ``QueueState`` (one compact ``QueueWindow`` per partition) behind its own `Mutex`; the
/// registry of queues has another (lock order: registry, then queue). Every change is journaled to
/// `__ferry_queues` while the queue's lock is held, so journal order is the order of changes; acks are answered
/// once their journal entry is durable. Time comes from the injected `now` (milliseconds), so lease expiry is
/// testable without sleeping: leases end lazily on every call and in ``expireLeases()`` (housekeeping).
///
/// Thread-safety: every method may be called from any thread; none blocks on I/O (appends never wait for
/// `fsync`); callbacks run outside the locks.
public final class QueueCoordinator: Sendable {
    /// The most in-flight (not done) messages a queue tracks per partition, from its floor. When a partition's
    /// window is full, receives take no newer message from it until its oldest in-flight message is done.
    public let maxInFlightPerPartition: Int
    let access: any QueueTopicAccess
    let journal: any QueueJournal
    let now: @Sendable () -> Int64
    let queues = Mutex<[QueueKey: QueueBox]>([:])

    /// How many queues there are (on every topic).
    public var count: Int { queues.withLock { $0.count } }

    init(
        access: any QueueTopicAccess, journal: any QueueJournal, now: @escaping @Sendable () -> Int64,
        maxInFlightPerPartition: Int = 10_000
    ) {
        self.access = access
        self.journal = journal
        self.now = now
        self.maxInFlightPerPartition = maxInFlightPerPartition
    }

    /// Rebuilds every queue from journal entries (start-up, before any other call) and returns how many
    /// entries it replayed. Queues whose topic no longer exists are dropped. Leases that were live are given
    /// back by the first expiry pass.
    @discardableResult
    func restore(_ replay: ((QueueJournalEntry) -> Void) throws(BrokerError) -> Void) throws(BrokerError) -> Int {
        var states: [QueueKey: QueueState] = [:]
        var replayed = 0
        try replay { entry in
            replayed += 1
            switch entry {
            case .created(let topic, let queue, let maxDeliveries, let deadLetterTopic, let createdAt, let starts):
                states[QueueKey(topic: topic, queue: queue)] = QueueState(
                    topic: topic, name: queue, maxDeliveries: maxDeliveries, deadLetterTopic: deadLetterTopic,
                    createdAt: createdAt, starts: starts)
            case .deleted(let topic, let queue):
                states[QueueKey(topic: topic, queue: queue)] = nil
            case .delivered(let topic, let queue, _, _), .acked(let topic, let queue, _, _),
                .deadLettered(let topic, let queue, _, _), .counted(let topic, let queue, _, _):
                states[QueueKey(topic: topic, queue: queue)]?.replay(entry)
            }
        }
        var gone: [QueueJournalEntry] = []
        for key in states.keys where access.partitions(of: key.topic) == nil {
            states[key] = nil
            gone.append(.deleted(topic: key.topic, queue: key.queue))
        }
        journal.append(gone) { _ in }
        queues.withLock { queues in
            for (key, state) in states { queues[key] = QueueBox(state) }
        }
        return replayed
    }

    /// Appends every live queue's state (``QueueState/snapshotEntries()``) to the journal, one queue at a time
    /// while holding that queue's lock, under which all its changes are journaled (the journal's online
    /// compaction, see ``InternalLineJournal/compact(appendSnapshot:)``). A queue's `created` entry resets it
    /// on replay, so its entries journaled before its snapshot are superseded and those after apply on top.
    /// Returns how many entries it appended.
    func appendSnapshot() -> Int {
        let boxes = queues.withLock { queues in
            queues.sorted { ($0.key.topic, $0.key.queue) < ($1.key.topic, $1.key.queue) }
        }
        var appended = 0
        for (_, box) in boxes {
            appended += box.state.withLock { state in
                guard !state.deleted else { return 0 }
                let entries = state.snapshotEntries()
                journal.append(entries) { _ in }
                return entries.count
            }
        }
        return appended
    }

    // MARK: Administration

    /// Creates a queue. Throws `invalidTopicName` (the topic or the dead-letter topic), `invalidName`,
    /// `invalidParameter` (max_deliveries outside 1…100, or the topic as its own dead-letter topic),
    /// `topicNotFound` or `queueExists`. `onDurable` runs once the creation is journaled durably (per the flush
    /// policy), from any thread; answer the client then.
    public func create(
        topic: String, name: String, options: QueueOptions = QueueOptions(),
        onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void = { _ in }
    ) throws(BrokerError) -> QueueStatus {
        try ResourceName.validateTopic(topic)
        try ResourceName.validate(name, kind: "queue")
        guard (1...100).contains(options.maxDeliveries) else {
            throw .invalidParameter(name: "max_deliveries", reason: "must be an integer in 1...100")
        }
        let deadLetterTopic = options.deadLetterTopic ?? "\(topic).\(name).dlq"
        try ResourceName.validateTopic(deadLetterTopic)
        guard deadLetterTopic != topic else {
            throw .invalidParameter(name: "dead_letter_topic", reason: "must not be the queue's own topic")
        }
        guard let partitions = access.partitions(of: topic) else { throw .topicNotFound(topic) }
        let starts = partitions.map { options.start == .earliest ? $0.startOffset : $0.endOffset }
        let createdAt = now()
        let state = QueueState(
            topic: topic, name: name, maxDeliveries: options.maxDeliveries, deadLetterTopic: deadLetterTopic,
            createdAt: createdAt, starts: starts)
        let key = QueueKey(topic: topic, queue: name)
        try queues.withLock { queues throws(BrokerError) in
            guard queues[key] == nil else { throw .queueExists(topic: topic, queue: name) }
            queues[key] = QueueBox(state)
            journal.append(
                [
                    .created(
                        topic: topic, queue: name, maxDeliveries: options.maxDeliveries,
                        deadLetterTopic: deadLetterTopic, createdAt: createdAt, startOffsets: starts)
                ], onDurable: onDurable)
        }
        return state.status(endOffsets: partitions.map(\.endOffset))
    }

    /// Deletes a queue; its outstanding receipts become stale and its held receives answer. Throws
    /// `topicNotFound` or `queueNotFound`. `onDurable` runs once the deletion is journaled durably.
    public func delete(
        topic: String, name: String, onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void = { _ in }
    ) throws(BrokerError) {
        _ = try box(topic: topic, name: name)
        let wake = try queues.withLock { queues throws(BrokerError) -> [@Sendable () -> Void] in
            guard let box = queues.removeValue(forKey: QueueKey(topic: topic, queue: name)) else {
                throw .queueNotFound(topic: topic, queue: name)
            }
            return end(box, onDurable: onDurable)
        }
        wake.forEach { $0() }
    }

    /// Ends every queue on `topic` (the topic was deleted).
    public func topicDeleted(_ topic: String) {
        let wake = queues.withLock { queues -> [@Sendable () -> Void] in
            var wake: [@Sendable () -> Void] = []
            for key in queues.keys where key.topic == topic {
                if let box = queues.removeValue(forKey: key) { wake += end(box) }
            }
            return wake
        }
        wake.forEach { $0() }
    }

    /// Marks a removed queue deleted and journals it; returns its waiters. Called under the registry lock.
    private func end(
        _ box: QueueBox, onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void = { _ in }
    ) -> [@Sendable () -> Void] {
        box.state.withLock { state in
            state.deleted = true
            journal.append([.deleted(topic: state.topic, queue: state.name)], onDurable: onDurable)
            return state.takeWaiters()
        }
    }

    /// The queue's status (leases due are ended first). Throws `topicNotFound` or `queueNotFound`.
    public func status(topic: String, name: String) throws(BrokerError) -> QueueStatus {
        let box = try box(topic: topic, name: name)
        guard let partitions = access.partitions(of: topic) else { throw .topicNotFound(topic) }
        return try status(box, partitions: partitions)
    }

    /// The statuses of the topic's queues, sorted by name (code-point order). Throws `topicNotFound`.
    public func list(topic: String) throws(BrokerError) -> [QueueStatus] {
        try ResourceName.validateTopic(topic)
        guard let partitions = access.partitions(of: topic) else { throw .topicNotFound(topic) }
        let boxes = queues.withLock { queues in queues.filter { $0.key.topic == topic } }
            .sorted { $0.key.queue.unicodeScalars.lexicographicallyPrecedes($1.key.queue.unicodeScalars) }
        var statuses: [QueueStatus] = []
        for (_, box) in boxes {
            if let status = try? status(box, partitions: partitions) { statuses.append(status) }
        }
        return statuses
    }

    private func status(_ box: QueueBox, partitions: [any PartitionStorage]) throws(BrokerError) -> QueueStatus {
        let starts = partitions.map(\.startOffset)
        let ends = partitions.map(\.endOffset)
        let time = now()
        let (status, expired) = try box.state.withLock { state throws(BrokerError) in
            guard !state.deleted else { throw .queueNotFound(topic: state.topic, queue: state.name) }
            state.sync(startOffsets: starts)
            let expired = state.expire(now: time)
            return (state.status(endOffsets: ends), expired)
        }
        finishExpiry(box, expired)
        return status
    }

    /// The queue, or `invalidTopicName` / `topicNotFound` / `queueNotFound`.
    func box(topic: String, name: String) throws(BrokerError) -> QueueBox {
        try ResourceName.validateTopic(topic)
        if let box = queues.withLock({ $0[QueueKey(topic: topic, queue: name)] }) { return box }
        guard access.partitions(of: topic) != nil else { throw .topicNotFound(topic) }
        throw .queueNotFound(topic: topic, queue: name)
    }

    // MARK: Time

    /// Ends every lease and delay that is due: messages become available again (waking held receives) or go
    /// to the dead-letter topic after their last delivery. Call every ~100 ms.
    public func expireLeases() {
        let boxes = queues.withLock { Array($0.values) }
        let time = now()
        for box in boxes {
            let expired = box.state.withLock { state in
                state.deleted ? ([], []) : state.expire(now: time)
            }
            finishExpiry(box, expired)
        }
    }

    /// Wakes held receives and starts dead-lettering, outside the queue's lock.
    func finishExpiry(_ box: QueueBox, _ expired: (deadLetters: [DeadLetterItem], wake: [@Sendable () -> Void])) {
        expired.wake.forEach { $0() }
        if !expired.deadLetters.isEmpty { deadLetter(box, expired.deadLetters) { _ in } }
    }
}
