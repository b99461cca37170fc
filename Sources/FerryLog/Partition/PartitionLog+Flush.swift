import FerrySystem
import Synchronization

extension PartitionLog: FlushTarget {
    /// Synced log pages are dropped from the process's resident set except for this much of the active
    /// segment's tail (where readers usually are) and none of a sealed segment: the data stays in the page
    /// cache, so readers behind pay a minor fault, and RSS follows what is hot, not everything written.
    static let residentTailBytes = 8 << 20
    /// The active segment's synced pages are released in steps of at least this much (one `madvise`).
    static let releaseStepBytes = 4 << 20

    /// Syncs everything appended so far to stable storage (rolled segments, the directory, the active
    /// segment), advances ``flushedOffset`` and completes the durability callbacks it covers. Blocks on
    /// `msync`; concurrent flushes of one partition are serialised.
    public func flush() throws(LogError) {
        let outcome = flushOnce()
        if let error = outcome { throw LogError.flushFailed(error) }
    }

    func runScheduledFlush() {
        _ = flushOnce()
    }

    /// The flush an event loop queued for the end of its turn, when the partition's snapshot count was
    /// `generation`. When another thread is syncing this partition (another loop, a flusher thread), the loop
    /// does not wait for it and wakes no other thread: unless a round that started since covers its appends, it
    /// gives its round up (`flushQueued` back to false), and the lock holder schedules the round once it releases
    /// the lock (``scheduleLeftoverRound()``): a loop holder syncs them at the end of its next turn, together with
    /// what that turn appends.
    func runEndOfTurnFlush(scheduledAt generation: UInt64) {
        if tryEndOfTurnRound() { return }
        let gaveUp = state.withLock { state -> Bool in
            if state.snapshots != generation { return false }  // a round that started since covers them
            state.flushQueued = false
            return true
        }
        // Check after giving up: a holder that released the lock before did not see it. If the lock is still
        // taken, its holder will.
        if gaveUp { _ = tryEndOfTurnRound() }
    }

    /// Runs one round if the flush lock is free (a loop never waits for it). Returns whether it ran.
    private func tryEndOfTurnRound() -> Bool {
        guard flushLock.withLockIfAvailable({ _ in syncAndComplete() }) != nil else { return false }
        scheduleLeftoverRound()
        return true
    }

    /// One flush round. Returns the sync error, if any.
    private func flushOnce() -> SystemError? {
        let failure = flushLock.withLock { _ in syncAndComplete() }
        scheduleLeftoverRound()
        return failure
    }

    /// Called after releasing the flush lock (a stopping scheduler runs a requested round on this thread, which
    /// must not hold the lock then): appends still waiting for a sync with no round scheduled for them (their
    /// loop's round found this one syncing and gave up) get one: at the end of the next turn of this thread's
    /// loop, or on a flusher thread when this thread is no loop.
    private func scheduleLeftoverRound() {
        let generation = state.withLock { state -> UInt64? in
            guard !state.durabilityWaiters.isEmpty, !state.flushQueued else { return nil }
            state.flushQueued = true
            return state.snapshots
        }
        guard let generation else { return }
        if let turn = EndOfTurnQueue.current {
            turn.addAfterNextPoll { [self] in runEndOfTurnFlush(scheduledAt: generation) }
        } else {
            environment.flusher.requestFlush(self)
        }
    }

    /// Syncs, then completes the callbacks it covers. Call with the flush lock held: the callbacks run under
    /// it, so no other thread can start the next sync of this partition until this group is released (appends
    /// made meanwhile join the next group). Returns the sync error.
    private func syncAndComplete() -> SystemError? {
        let (completions, failure) = syncAndPublish()
        // Answers for other loops' connections wake each of those loops once, after the group.
        WakeBatch.coalescing {
            for (waiter, result) in completions { waiter.callback(result) }
        }
        return failure
    }

    private func syncAndPublish() -> ([(DurabilityWaiter, Result<AppendResult, LogError>)], SystemError?) {
        let snapshot = state.withLock { state in
            state.flushQueued = false
            state.snapshots &+= 1
            let seals = state.pendingSeals
            state.pendingSeals = []
            let directory =
                state.directoryGeneration > state.syncedDirectoryGeneration ? state.directoryGeneration : nil
            return (
                seals: seals, directory: directory, region: state.active.region, base: state.active.baseOffset,
                from: state.active.syncedPosition, to: state.active.written, target: state.active.nextOffset,
                released: state.active.releasedPosition, failure: state.failure
            )
        }
        if let failure = snapshot.failure { return ([], failure) }
        var failure: SystemError?
        let started = MonotonicClock.nanoseconds()
        do {
            for seal in snapshot.seals { try seal.region.synchronize(0..<seal.size) }
            if snapshot.directory != nil { try FileSystem.syncDirectory(directory) }
            try snapshot.region.synchronize(snapshot.from..<snapshot.to)
        } catch {
            failure = error
        }
        if snapshot.to > snapshot.from || !snapshot.seals.isEmpty || snapshot.directory != nil {
            environment.reportSync(nanoseconds: MonotonicClock.nanoseconds() &- started)
        }
        var released = snapshot.released
        if failure == nil {
            for seal in snapshot.seals { seal.region.releaseResidentPages(0..<seal.size) }
            let releasable = snapshot.to - Self.residentTailBytes
            if releasable - released >= Self.releaseStepBytes {
                snapshot.region.releaseResidentPages(released..<releasable)
                released = releasable
            }
        }
        return state.withLock { state in
            if let failure {
                state.failure = state.failure ?? failure
                let failed = state.durabilityWaiters.map {
                    ($0, Result<AppendResult, LogError>.failure(.flushFailed(failure)))
                }
                state.durabilityWaiters = []
                return (failed, failure)
            }
            if state.active.baseOffset == snapshot.base {
                state.active.syncedPosition = max(state.active.syncedPosition, snapshot.to)
                state.active.releasedPosition = max(state.active.releasedPosition, released)
            }
            if let generation = snapshot.directory {
                state.syncedDirectoryGeneration = max(state.syncedDirectoryGeneration, generation)
            }
            state.flushedOffset = max(state.flushedOffset, snapshot.target)
            if snapshot.to > snapshot.from || !snapshot.seals.isEmpty { state.syncCount += 1 }
            var done = 0
            while done < state.durabilityWaiters.count
                && state.durabilityWaiters[done].result.lastOffset < state.flushedOffset
            { done += 1 }
            let completed = state.durabilityWaiters.prefix(done).map {
                ($0, Result<AppendResult, LogError>.success($0.result))
            }
            state.durabilityWaiters.removeFirst(done)
            return (completed, nil)
        }
    }
}
