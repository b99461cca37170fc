import Synchronization

/// Online compaction of the internal journals (`__ferry_groups`, `__ferry_queues`, `__ferry_subscriptions`,
/// `__ferry_idempotency`): every commit, receive, ack and position adds a line, so without it a busy server's
/// journals, their resident pages and its restart time would grow without bound.
extension BrokerShard {
    /// How often housekeeping looks at the journals' lengths.
    static let compactionCheckIntervalMilliseconds: Int64 = 1_000
    /// How long a journal whose compaction failed (a full disk, say) is left alone.
    static let compactionRetryMilliseconds: Int64 = 60_000

    /// Replaces each journal whose history is due (``InternalLineJournal/isCompactionDue``) by a snapshot of
    /// its owner's live state, and returns the failures (such a journal keeps its history, which replays the
    /// same; the next try is a minute later). Looks at most once a second unless `force` (start-up). Blocks on
    /// fsync when a journal is compacted. One caller at a time: start-up, then housekeeping.
    @discardableResult
    func compactJournalsIfDue(now time: Int64, force: Bool = false) -> [(topic: String, error: BrokerError)] {
        guard force || time >= nextCompactionCheck.load(ordering: .relaxed) else { return [] }
        var failures: [(topic: String, error: BrokerError)] = []
        for entry in journals where entry.journal.isCompactionDue {
            do {
                try entry.journal.compact(appendSnapshot: entry.appendSnapshot)
            } catch {
                failures.append((entry.topic, error))
            }
        }
        let wait = failures.isEmpty ? Self.compactionCheckIntervalMilliseconds : Self.compactionRetryMilliseconds
        nextCompactionCheck.store(time + wait, ordering: .relaxed)
        return failures
    }
}
