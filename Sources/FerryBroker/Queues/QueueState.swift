import Synchronization

/// One queue: its settings, one ``QueueWindow`` per partition, counters and held receivers.
///
/// Not thread-safe; lives in a ``QueueBox`` behind its lock. Never does I/O itself: callers journal the changes
/// it reports.
struct QueueState: Sendable {
    let topic: String
    let name: String
    let maxDeliveries: Int
    let deadLetterTopic: String
    let createdAt: Int64
    var windows: [QueueWindow]
    var acked: Int64 = 0
    var deadLettered: Int64 = 0
    var nonces = LeaseNonceGenerator()
    /// The partition the next receive starts with (fairness).
    var rotation = 0
    /// Set when the queue is deleted; every later call answers `queueNotFound`.
    var deleted = false
    /// Held receives to wake when messages become available (other than by appends).
    var waiters: [Int: @Sendable () -> Void] = [:]
    var nextWaiter = 0

    init(topic: String, name: String, maxDeliveries: Int, deadLetterTopic: String, createdAt: Int64, starts: [Int64]) {
        self.topic = topic
        self.name = name
        self.maxDeliveries = maxDeliveries
        self.deadLetterTopic = deadLetterTopic
        self.createdAt = createdAt
        self.windows = starts.map { QueueWindow(start: $0) }
    }

    /// Adds windows for partitions the topic gained (starting at their start offset) and moves windows past
    /// messages retention deleted.
    mutating func sync(startOffsets: [Int64]) {
        while windows.count < startOffsets.count { windows.append(QueueWindow(start: startOffsets[windows.count])) }
        for partition in startOffsets.indices { windows[partition].skip(below: startOffsets[partition]) }
    }

    /// Ends the leases and delays due at `now`. Returns the messages to dead-letter, and the waiters to wake
    /// when some message became available.
    mutating func expire(now: Int64) -> (deadLetters: [DeadLetterItem], wake: [@Sendable () -> Void]) {
        var became = false
        var deadLetters: [DeadLetterItem] = []
        for partition in windows.indices {
            for item in windows[partition].expire(now: now, maxDeliveries: maxDeliveries, becameAvailable: &became) {
                deadLetters.append(
                    DeadLetterItem(partition: partition, offset: item.offset, deliveries: item.deliveries))
            }
        }
        return (deadLetters, became ? takeWaiters() : [])
    }

    /// Leases up to `max` messages fairly: partitions take turns (starting one further each call), each giving
    /// its oldest available messages, until `max` or nothing is left.
    mutating func lease(max: Int, now: Int64, leaseEnd: Int64, endOffsets: [Int64], maxWindow: Int) -> [QueueDelivery] {
        var deliveries: [QueueDelivery] = []
        let count = min(windows.count, endOffsets.count)
        guard count > 0, max > 0 else { return deliveries }
        let first = rotation % count
        rotation = (rotation + 1) % count
        var active = (0..<count).map { (first + $0) % count }
        while deliveries.count < max && !active.isEmpty {
            let share = Swift.max(1, (max - deliveries.count) / active.count)
            var stillActive: [Int] = []
            for partition in active where deliveries.count < max {
                let want = Swift.min(share, max - deliveries.count)
                let leases = windows[partition].lease(
                    max: want, now: now, leaseEnd: leaseEnd, endOffset: endOffsets[partition], maxWindow: maxWindow,
                    nonce: { nonces.next() })
                for lease in leases {
                    deliveries.append(
                        QueueDelivery(
                            partition: partition, offset: lease.offset, deliveryCount: lease.deliveries,
                            receipt: QueueReceipt(partition: partition, offset: lease.offset, nonce: lease.nonce)))
                }
                if leases.count == want { stillActive.append(partition) }
            }
            active = stillActive
        }
        return deliveries
    }

    /// Whether a receive could get a message now (for held receives).
    func hasAvailable(endOffsets: [Int64], maxWindow: Int) -> Bool {
        for partition in windows.indices {
            let window = windows[partition]
            if window.availableCount > 0 { return true }
            if partition < endOffsets.count && window.next < endOffsets[partition] && window.windowSize < maxWindow {
                return true
            }
        }
        return false
    }

    /// The status, given each partition's end offset.
    func status(endOffsets: [Int64]) -> QueueStatus {
        var available: Int64 = 0
        var leased: Int64 = 0
        var partitions: [QueueStatus.Partition] = []
        for (partition, window) in windows.enumerated() {
            available += Int64(window.availableCount + window.delayedCount)
            if partition < endOffsets.count { available += Swift.max(0, endOffsets[partition] - window.next) }
            leased += Int64(window.leasedCount)
            partitions.append(.init(partition: partition, floorOffset: window.floor))
        }
        return QueueStatus(
            name: name, topic: topic, available: available, leased: leased, acked: acked, deadLettered: deadLettered,
            maxDeliveries: maxDeliveries, deadLetterTopic: deadLetterTopic, partitions: partitions)
    }

    mutating func addWaiter(_ wake: @escaping @Sendable () -> Void) -> Int {
        nextWaiter += 1
        waiters[nextWaiter] = wake
        return nextWaiter
    }

    mutating func takeWaiters() -> [@Sendable () -> Void] {
        defer { waiters.removeAll() }
        return Array(waiters.values)
    }

    /// Applies a replayed journal entry for this queue.
    mutating func replay(_ entry: QueueJournalEntry) {
        switch entry {
        case .delivered(_, _, let partition, let offsets):
            ensureWindow(partition)
            for offset in offsets { windows[partition].replayDelivery(offset) }
        case .acked(_, _, let partition, let offsets):
            ensureWindow(partition)
            for offset in offsets where windows[partition].replayDone(offset) { acked += 1 }
        case .deadLettered(_, _, let partition, let offsets):
            ensureWindow(partition)
            for offset in offsets where windows[partition].replayDone(offset) { deadLettered += 1 }
        case .counted(_, _, let acked, let deadLettered):
            self.acked = acked
            self.deadLettered = deadLettered
        case .created, .deleted:
            break
        }
    }

    /// The queue as journal entries that rebuild it when replayed: created (partitions starting at their
    /// floors), each in-flight message delivered as often as it was, the done ones in the window, then the
    /// counters. Live leases come back as leases that already ended, as after any restart.
    func snapshotEntries() -> [QueueJournalEntry] {
        var entries: [QueueJournalEntry] = [
            .created(
                topic: topic, queue: name, maxDeliveries: maxDeliveries, deadLetterTopic: deadLetterTopic,
                createdAt: createdAt, startOffsets: windows.map(\.floor))
        ]
        for (partition, window) in windows.enumerated() {
            // deliveredAtLeast[k - 1]: the offsets delivered at least k times (replayed once per k).
            var deliveredAtLeast: [[Int64]] = []
            var done: [Int64] = []
            var offset = window.floor
            while offset < window.next {
                if let slot = window.slot(at: offset) {
                    if slot.state == .done {
                        done.append(offset)
                    } else if slot.deliveries > 0 {
                        while deliveredAtLeast.count < Int(slot.deliveries) { deliveredAtLeast.append([]) }
                        for k in 0..<Int(slot.deliveries) { deliveredAtLeast[k].append(offset) }
                    }
                }
                offset += 1
            }
            for offsets in deliveredAtLeast {
                entries.append(.delivered(topic: topic, queue: name, partition: partition, offsets: offsets))
            }
            if !done.isEmpty {
                entries.append(.acked(topic: topic, queue: name, partition: partition, offsets: done))
            }
        }
        entries.append(.counted(topic: topic, queue: name, acked: acked, deadLettered: deadLettered))
        return entries
    }

    private mutating func ensureWindow(_ partition: Int) {
        while windows.count <= partition { windows.append(QueueWindow(start: 0)) }
    }
}

/// A message to move to the dead-letter topic.
struct DeadLetterItem: Sendable {
    var partition: Int
    var offset: Int64
    var deliveries: Int
}

/// One queue's state behind its own lock, so queues never contend with each other.
final class QueueBox: Sendable {
    let state: Mutex<QueueState>

    init(_ state: QueueState) { self.state = Mutex(state) }
}
