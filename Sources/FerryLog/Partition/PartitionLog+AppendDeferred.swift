extension PartitionLog {
    /// Appends `records` as one atomic batch and returns its offsets as soon as it is in the mapping (readable
    /// by every reader), without waiting for `fsync`. `onDurable` is called exactly once when the batch is
    /// durable as the flush policy promises: before this method returns for `never`/`interval`, from a flusher
    /// thread after the group commit for `always` (with the error if that sync fails). When this method throws,
    /// nothing was written and `onDurable` is never called. Never blocks on fsync: event loops use this form.
    public func appendDeferringDurability<Source: RecordSource>(
        _ records: Source, onDurable: @escaping @Sendable (Result<AppendResult, LogError>) -> Void
    ) throws(LogError) -> AppendResult {
        let (result, durable) = try appendBatchReportingPolicy(records, onDurable: onDurable)
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
