import FerrySystem
import Synchronization

/// What one retention pass deleted from a partition.
public struct RetentionReport: Sendable, Equatable {
    /// Whole closed segments deleted.
    public var deletedSegments: Int = 0
    /// Their bytes.
    public var deletedBytes: Int64 = 0
    /// The log start offset after the pass.
    public var logStartOffset: Int64 = 0

    public init(deletedSegments: Int = 0, deletedBytes: Int64 = 0, logStartOffset: Int64 = 0) {
        self.deletedSegments = deletedSegments
        self.deletedBytes = deletedBytes
        self.logStartOffset = logStartOffset
    }
}

extension PartitionLog {
    /// Deletes the oldest closed segments that are past `retentionMilliseconds` (their newest record is older
    /// than `now - retentionMilliseconds`) or that keep the partition above `retentionBytes` (a segment goes
    /// when the partition would still hold at least `retentionBytes` without it, as in Kafka). Only a prefix
    /// of closed segments is ever deleted, never the active segment; ``logStartOffset`` advances to the first
    /// remaining segment. Readers holding records of a deleted segment keep a valid mapping. Blocks on I/O.
    @discardableResult
    public func enforceRetention(nowMilliseconds now: Int64) throws(LogError) -> RetentionReport {
        try retentionLock.withLock { _ throws(LogError) -> RetentionReport in
            let (closed, total, isClosed, configuration) = state.withLock { state in
                (state.closed, state.closedBytes + Int64(state.active.written), state.isClosed, state.configuration)
            }
            if isClosed { throw LogError.closed }
            var count = 0
            if configuration.retentionMilliseconds >= 0 {
                while count < closed.count {
                    let newest = try closed[count].maxTimestamp(
                        cache: environment.cache,
                        indexInterval: configuration.indexIntervalBytes)
                    guard now - newest > configuration.retentionMilliseconds else { break }
                    count += 1
                }
            }
            if configuration.retentionBytes >= 0 {
                var remaining = total - closed.prefix(count).reduce(0) { $0 + Int64($1.size) }
                while count < closed.count && remaining - Int64(closed[count].size) >= configuration.retentionBytes {
                    remaining -= Int64(closed[count].size)
                    count += 1
                }
            }
            return deleteOldestClosedSegments(count, of: closed)
        }
    }

    /// Deletes every closed segment whose records all lie below `offset` (Kafka's `DeleteRecords` at segment
    /// granularity): ``logStartOffset`` advances to the first remaining segment. Used to drop the history of an
    /// internal journal once a snapshot at `offset` makes it redundant. Never touches the active segment.
    /// Readers holding records of a deleted segment keep a valid mapping. Blocks on I/O.
    @discardableResult
    public func deleteSegments(before offset: Int64) throws(LogError) -> RetentionReport {
        try retentionLock.withLock { _ throws(LogError) -> RetentionReport in
            let (closed, activeBase, isClosed) = state.withLock { ($0.closed, $0.active.baseOffset, $0.isClosed) }
            if isClosed { throw LogError.closed }
            var count = 0
            while count < closed.count {
                let end = count + 1 < closed.count ? closed[count + 1].baseOffset : activeBase
                guard end <= offset else { break }
                count += 1
            }
            return deleteOldestClosedSegments(count, of: closed)
        }
    }

    /// Removes the first `count` closed segments (a snapshot `closed` taken under `retentionLock`, which the
    /// caller holds: only retention removes closed segments, so the prefix is unchanged).
    private func deleteOldestClosedSegments(_ count: Int, of closed: [Segment]) -> RetentionReport {
        let deleted = Array(closed.prefix(count))
        let start = state.withLock { state -> Int64 in
            state.closed.removeFirst(count)
            state.closedBytes -= deleted.reduce(0) { $0 + Int64($1.size) }
            state.logStartOffset = state.closed.first?.baseOffset ?? state.active.baseOffset
            return state.logStartOffset
        }
        var report = RetentionReport(logStartOffset: start)
        for segment in deleted {
            environment.cache.remove(segment)
            try? FileSystem.removeFile(segment.paths.log)
            try? FileSystem.removeFile(segment.paths.index)
            try? FileSystem.removeFile(segment.paths.timeIndex)
            report.deletedSegments += 1
            report.deletedBytes += Int64(segment.size)
        }
        return report
    }
}
