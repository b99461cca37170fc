import FerrySystem

/// A durability callback waiting for the flusher (policy `always`).
struct DurabilityWaiter {
    let result: AppendResult
    let callback: @Sendable (Result<AppendResult, LogError>) -> Void
}

/// A rolled segment whose mapping still has to be synced by the flusher.
struct PendingSeal {
    let region: MappedRegion
    let size: Int
}

/// Identifies a registration made with ``PartitionLog/notifyWhenAppended(after:_:)``.
public struct AppendWaiterToken: Hashable, Sendable {
    let id: UInt64
}

/// Everything mutable about a partition, guarded by ``PartitionLog``'s state `Mutex`.
struct PartitionState {
    /// The partition's settings (changeable with ``PartitionLog/updateConfiguration(_:)``).
    var configuration: LogConfiguration
    /// Closed segments sorted by base offset (contiguous: each ends where the next begins).
    var closed: [Segment]
    /// The segment being appended to; its base offset is the last closed segment's end.
    var active: ActiveSegment
    var logStartOffset: Int64
    /// Every offset below this is on stable storage.
    var flushedOffset: Int64
    /// Sum of the closed segments' sizes.
    var closedBytes: Int64
    /// Rolled segments not yet synced.
    var pendingSeals: [PendingSeal] = []
    /// Bumped when a file is created in the partition directory; the flusher syncs the directory to match.
    var directoryGeneration: UInt64 = 1
    var syncedDirectoryGeneration: UInt64 = 0
    /// `always`: appends waiting for their sync, in offset order.
    var durabilityWaiters: [DurabilityWaiter] = []
    /// Long-poll style waiters: fire once `nextOffset > offset`.
    var appendWaiters: [UInt64: (offset: Int64, callback: @Sendable () -> Void)] = [:]
    var nextWaiterID: UInt64 = 1
    /// A flush round is scheduled (a loop's end of turn, a flusher thread, a timer) and has not taken its
    /// snapshot yet. False with durability waiters left: their round gave up while another was syncing, and the
    /// lock holder schedules one after releasing the lock (``PartitionLog/scheduleLeftoverRound()``).
    var flushQueued = false
    /// Flush rounds that have taken their snapshot: a round scheduled when this was `n` is covered by any
    /// later one (every append before a snapshot is in it).
    var snapshots: UInt64 = 0
    /// Zeros are being written ahead of the writer (see ``PartitionLog/requestInitializationIfLow(_:)``).
    var initializing = false
    /// Bytes of zeros the initializer wrote into this partition's segments (tests, benchmarks).
    var initializedBytes = 0
    /// Sync rounds that wrote something (for benchmarks and metrics).
    var syncCount = 0
    var isClosed = false
    /// Set when a sync failed: appends are refused from then on.
    var failure: SystemError?

    var nextOffset: Int64 { active.nextOffset }

    /// Removes and returns the append waiters satisfied by the current end offset.
    mutating func takeSatisfiedAppendWaiters() -> [@Sendable () -> Void] {
        var fired: [@Sendable () -> Void] = []
        let end = active.nextOffset
        for (id, waiter) in appendWaiters where waiter.offset < end || isClosed {
            fired.append(waiter.callback)
            appendWaiters[id] = nil
        }
        return fired
    }

    /// The index into `closed` of the segment holding `offset` (which must be >= the first base offset and
    /// below the active base offset).
    func closedSegmentIndex(containing offset: Int64) -> Int? {
        var low = 0
        var high = closed.count
        while low < high {
            let middle = (low + high) / 2
            if closed[middle].baseOffset <= offset { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : low - 1
    }

    /// The end offset of closed segment `index`.
    func endOffset(ofClosed index: Int) -> Int64 {
        index + 1 < closed.count ? closed[index + 1].baseOffset : active.baseOffset
    }
}
