import Synchronization

/// Receive, settle (ack, release, reject, renew) and waiting for messages.
extension QueueCoordinator {
    /// Leases up to `maxMessages` available messages for `leaseMilliseconds`, oldest first and fairly across
    /// partitions, reads them, and calls `completion` once with them and their deliveries (receipt and delivery
    /// count); a message deleted by retention in between is left out.
    ///
    /// Throws `topicNotFound` or `queueNotFound` (then `completion` is not called). The deliveries are journaled
    /// (without waiting for `fsync`), so delivery counts survive a restart. `completion` runs when the reads
    /// complete: on the caller's thread before returning for the embedded engine. Never blocks.
    public func receive(
        topic: String, name: String, maxMessages: Int, leaseMilliseconds: Int64,
        completion: @escaping @Sendable (QueueReceived) -> Void
    ) throws(BrokerError) {
        let box = try box(topic: topic, name: name)
        guard let partitions = access.partitions(of: topic) else { throw .topicNotFound(topic) }
        let starts = partitions.map(\.startOffset)
        let ends = partitions.map(\.endOffset)
        let time = now()
        let maxWindow = maxInFlightPerPartition
        let (deliveries, expired) = try box.state.withLock { state throws(BrokerError) in
            guard !state.deleted else { throw .queueNotFound(topic: topic, queue: name) }
            state.sync(startOffsets: starts)
            let expired = state.expire(now: time)
            let deliveries = state.lease(
                max: maxMessages, now: time, leaseEnd: time + leaseMilliseconds, endOffsets: ends, maxWindow: maxWindow)
            if !deliveries.isEmpty { journal.append(Self.entries(deliveries, topic: topic, name: name)) { _ in } }
            return (deliveries, expired)
        }
        finishExpiry(box, expired)
        read(deliveries, partitions: partitions, completion: completion)
    }

    /// One `delivered` entry per partition, offsets ascending.
    static func entries(_ deliveries: [QueueDelivery], topic: String, name: String) -> [QueueJournalEntry] {
        var byPartition: [Int: [Int64]] = [:]
        for delivery in deliveries { byPartition[delivery.partition, default: []].append(delivery.offset) }
        return byPartition.sorted { $0.key < $1.key }.map { partition, offsets in
            .delivered(topic: topic, queue: name, partition: partition, offsets: offsets.sorted())
        }
    }

    /// Reads the leased messages, one storage read per run of consecutive offsets, all at once.
    func read(
        _ deliveries: [QueueDelivery], partitions: [any PartitionStorage],
        completion: @escaping @Sendable (QueueReceived) -> Void
    ) {
        var runs: [ArraySlice<QueueDelivery>] = []
        var index = 0
        while index < deliveries.count {
            let first = deliveries[index]
            var end = index + 1
            while end < deliveries.count && deliveries[end].partition == first.partition
                && deliveries[end].offset == deliveries[end - 1].offset + 1
            {
                end += 1
            }
            if first.partition < partitions.count { runs.append(deliveries[index..<end]) }
            index = end
        }
        let requests = runs.map { run in
            PartitionReadRequest(
                storage: partitions[run[run.startIndex].partition], offset: run[run.startIndex].offset,
                maxMessages: run.count)
        }
        readAll(requests) { [runs] results in
            // A run whose read failed (retention deleted it meanwhile) is left out.
            var read: [QueueReceived.Run] = []
            for (run, result) in zip(runs, results) {
                if case .success(let batch) = result { read.append(QueueReceived.Run(deliveries: run, batch: batch)) }
            }
            completion(QueueReceived(runs: read))
        }
    }

    /// Applies `settlement` to each receipt and reports `ok` or `stale` per receipt, in order, through
    /// `completion`: for acks once they are durable (per the flush policy), for rejects once the messages are
    /// in the dead-letter topic. A receipt is `stale` when its lease ended (or it is not a receipt of this
    /// queue); it changes nothing. Throws `topicNotFound` or `queueNotFound` (then `completion` is not called).
    public func settle(
        topic: String, name: String, receipts: [String], _ settlement: QueueSettlement,
        completion: @escaping @Sendable (Result<[ReceiptStatus], BrokerError>) -> Void
    ) throws(BrokerError) {
        let box = try box(topic: topic, name: name)
        let parsed = receipts.map { QueueReceipt(text: $0) }
        let time = now()
        let (statuses, acked, rejected, expired) = try box.state.withLock { state throws(BrokerError) in
            guard !state.deleted else { throw .queueNotFound(topic: topic, queue: name) }
            var expired = state.expire(now: time)
            var statuses: [ReceiptStatus] = []
            var acked: [Int: [Int64]] = [:]
            var rejected: [DeadLetterItem] = []
            for receipt in parsed {
                guard let receipt, receipt.partition < state.windows.count,
                    state.windows[receipt.partition].isLive(offset: receipt.offset, nonce: receipt.nonce, now: time)
                else {
                    statuses.append(.stale)
                    continue
                }
                statuses.append(.ok)
                let p = receipt.partition
                switch settlement {
                case .ack:
                    state.windows[p].ack(receipt.offset)
                    state.acked += 1
                    acked[p, default: []].append(receipt.offset)
                case .release(let delay):
                    if state.windows[p].release(receipt.offset, now: time, availableAt: time + delay) {
                        expired.wake += state.takeWaiters()
                    }
                case .renew(let lease):
                    state.windows[p].renew(receipt.offset, leaseEnd: time + lease)
                case .reject:
                    let deliveries = state.windows[p].beginDeadLetter(receipt.offset)
                    rejected.append(DeadLetterItem(partition: p, offset: receipt.offset, deliveries: deliveries))
                }
            }
            return (statuses, acked, rejected, expired)
        }
        finishExpiry(box, expired)
        if !acked.isEmpty {
            let entries = acked.sorted { $0.key < $1.key }.map { p, offsets in
                QueueJournalEntry.acked(topic: topic, queue: name, partition: p, offsets: offsets.sorted())
            }
            // Journaled under the queue's lock only when the queue still exists (a delete may have raced).
            let journaled = box.state.withLock { state -> Bool in
                guard !state.deleted else { return false }
                journal.append(entries) { durable in completion(durable.map { statuses }) }
                return true
            }
            if !journaled { completion(.success(statuses)) }
        } else if !rejected.isEmpty {
            deadLetter(box, rejected) { result in completion(result.map { statuses }) }
        } else {
            completion(.success(statuses))
        }
    }

    /// Arms `wakeup` to fire (`.data`) when the queue may have a message for a receive: at once when it has
    /// one now, else on an append past a partition's read position, a release or lease expiry, or the queue's
    /// deletion. Throws `topicNotFound` or `queueNotFound`.
    public func watch(topic: String, name: String, wakeup: Wakeup) throws(BrokerError) {
        let box = try box(topic: topic, name: name)
        guard let partitions = access.partitions(of: topic) else { throw .topicNotFound(topic) }
        let starts = partitions.map(\.startOffset)
        let ends = partitions.map(\.endOffset)
        let maxWindow = maxInFlightPerPartition
        let armed = try box.state.withLock { state throws(BrokerError) -> (waiter: Int, positions: [(Int, Int64)])? in
            guard !state.deleted else { throw .queueNotFound(topic: topic, queue: name) }
            state.sync(startOffsets: starts)
            if state.hasAvailable(endOffsets: ends, maxWindow: maxWindow) { return nil }
            let waiter = state.addWaiter { wakeup.fire(.data) }
            let positions = state.windows.indices.compactMap { p -> (Int, Int64)? in
                state.windows[p].windowSize < maxWindow ? (p, state.windows[p].next) : nil
            }
            return (waiter, positions)
        }
        guard let armed else {
            wakeup.fire(.data)
            return
        }
        wakeup.onFire { _ = box.state.withLock { $0.waiters.removeValue(forKey: armed.waiter) } }
        for (p, position) in armed.positions where p < partitions.count {
            let storage = partitions[p]
            let token = storage.waitForAppend(after: position) { wakeup.fire(.data) }
            wakeup.onFire { storage.cancelWait(token) }
        }
    }
}
