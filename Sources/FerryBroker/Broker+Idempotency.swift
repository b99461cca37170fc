extension Broker {
    /// Ferry's journal of remembered produce answers (`Idempotency-Key`).
    public static let idempotencyStateTopic = "__ferry_idempotency"

    /// The idempotency cache over `__ferry_idempotency`, restored from it (unexpired answers). Start-up only
    /// (replay blocks).
    static func makeIdempotencyCache(
        storage: any StorageEngine, windowMilliseconds: Int64, now: @escaping @Sendable () -> Int64
    ) throws(BrokerError) -> IdempotencyCache {
        guard let partition = storage.partition(topic: idempotencyStateTopic, partition: 0) else {
            throw .internal("internal topic \(idempotencyStateTopic) has no partition 0")
        }
        let journal = IdempotencyStateLog(partition: partition, now: now)
        let cache = IdempotencyCache(windowMilliseconds: windowMilliseconds, now: now, journal: journal)
        cache.restore(try journal.replay().entries)
        return cache
    }
}
