extension PartitionLog {
    /// Appends `records` as one atomic batch and returns its offsets as soon as it is in the mapping (readable
    /// by every reader), without waiting for `fsync`. `onDurable` is called exactly once when the batch is
    /// durable as the flush policy promises: before this method returns for `never`/`interval`; for `always`,
    /// after the group commit (with the error if that sync fails), which an event-loop thread runs itself at
    /// the end of its turn (``EndOfTurnQueue``; while syncs are quick) and any other caller leaves to a flusher
    /// thread. When this method throws, nothing was written and `onDurable` is never called. Never blocks on
    /// fsync, and the caller must not wait for `onDurable` on its own thread: event loops use this form.
    public func appendDeferringDurability<Source: RecordSource>(
        _ records: Source, onDurable: @escaping @Sendable (Result<AppendResult, LogError>) -> Void
    ) throws(LogError) -> AppendResult {
        let (result, durable) = try appendBatchReportingPolicy(records, onDurable: onDurable, syncAtEndOfTurn: true)
        if durable { onDurable(.success(result)) }
        return result
    }

    /// ``appendDeferringDurability(_:onDurable:)`` for ``RecordInput`` values.
    public func appendDeferringDurability(
        _ records: [RecordInput], onDurable: @escaping @Sendable (Result<AppendResult, LogError>) -> Void
    ) throws(LogError) -> AppendResult {
        try appendDeferringDurability(RecordBuffer(records), onDurable: onDurable)
    }
}
