import FerrySystem
import Synchronization
import Testing

@testable import FerryLog

#if canImport(Glibc)
    import Glibc
#endif

struct DurabilityTests {
    @Test func appendAlways_ReturnsDurable_AndAdvancesFlushedOffset() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .always))
        defer { test.close() }
        let result = try test.log.append([sampleRecord(0), sampleRecord(1)])
        #expect(result.lastOffset == 1)
        #expect(test.log.flushedOffset >= 2)
    }

    @Test func appendWithCallback_CompletesEveryCallbackOnce_InOffsetOrder_WhenManyConcurrent() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .always))
        defer { test.close() }
        let completions = ConditionLock<[Int64]>([])
        let total = 200
        for number in 0..<total {
            test.log.append([sampleRecord(number)]) { result in
                let offset = (try? result.get())?.baseOffset ?? -1
                completions.withLockThenSignal { $0.append(offset) }
            }
        }
        let done = completions.wait(deadline: { _ in nil }) { $0.count == total ? $0 : nil }
        #expect(done.sorted() == Array(0..<Int64(total)))
        #expect(test.log.flushedOffset == Int64(total))
    }

    @Test func appendWithCallback_ReportsErrorThroughCallback_WhenRejected() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .always))
        defer { test.close() }
        let outcome = Mutex<Result<AppendResult, LogError>?>(nil)
        test.log.append([]) { result in outcome.withLock { $0 = result } }
        #expect(outcome.withLock { $0 } == .failure(.emptyBatch))
    }

    @Test func intervalPolicy_FlushesInBackground_WithoutExplicitFlush() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .interval(milliseconds: 1)))
        defer { test.close() }
        try test.log.append([sampleRecord(0)])
        #expect(test.log.nextOffset == 1)
        for _ in 0..<10_000 where test.log.flushedOffset < 1 { usleep(1000) }  // bounded: at most ~10 s
        #expect(test.log.flushedOffset == 1)
        #expect(test.log.syncCount >= 1)
    }

    @Test func neverPolicy_DoesNotFlush_UntilAskedTo() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .never))
        defer { test.close() }
        try test.log.append([sampleRecord(0)])
        #expect(test.log.flushedOffset == 0)
        try test.log.flush()
        #expect(test.log.flushedOffset == 1)
    }

    @Test func notifyWhenAppended_FiresOnceAfterAppend_AndNotAfterCancel() throws {
        let test = try TestLog.make()
        defer { test.close() }
        let fired = Mutex(0)
        let cancelled = Mutex(0)
        test.log.notifyWhenAppended(after: 0) { fired.withLock { $0 += 1 } }
        let token = test.log.notifyWhenAppended(after: 0) { cancelled.withLock { $0 += 1 } }
        test.log.notifyWhenAppended(after: 5) { fired.withLock { $0 += 100 } }
        #expect(test.log.cancelAppendNotification(token))
        #expect(fired.withLock { $0 } == 0)
        try test.log.append([sampleRecord(0)])
        #expect(fired.withLock { $0 } == 1)
        try test.log.append([sampleRecord(1)])
        #expect(fired.withLock { $0 } == 1)
        #expect(cancelled.withLock { $0 } == 0)
        // Already satisfied: fires immediately.
        test.log.notifyWhenAppended(after: 1) { fired.withLock { $0 += 10 } }
        #expect(fired.withLock { $0 } == 11)
        test.log.close()
        #expect(fired.withLock { $0 } == 111)  // closing wakes the remaining waiter
    }

    @Test func append_Throws_AfterClose() throws {
        let test = try TestLog.make()
        test.close()
        #expect(throws: LogError.closed) { try test.log.append([sampleRecord(0)]) }
        #expect(throws: LogError.closed) { try test.log.read(from: 0) }
    }
}

/// `always` appends made on an event loop (a thread with an ``EndOfTurnQueue``) are synced by the loop at the
/// end of its turn, one sync for the whole turn, with the callbacks on the loop thread.
struct EndOfTurnSyncTests {
    /// Runs `body` on a fresh thread with its own end-of-turn queue installed, and waits for it.
    private func onLoopThread(_ body: @escaping @Sendable (EndOfTurnQueue) -> Void) {
        let thread = SystemThread(name: "test-loop") {
            let turn = EndOfTurnQueue()
            turn.install()
            body(turn)
            turn.uninstall()
        }
        thread.join()
    }

    @Test func appendsOfOneTurn_AreSyncedOnce_AtTheEndOfTheTurn_OnTheLoopThread() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .always))
        defer { test.close() }
        let log = test.log
        let seen = Mutex<(beforeTurn: Int, syncsBefore: Int, syncsAfter: Int, onLoop: Int, flushed: Int64)>(
            (0, 0, 0, 0, 0))
        onLoopThread { turn in
            let loopThread = UInt(pthread_self())
            let syncs = log.syncCount
            for number in 0..<3 {
                _ = try? log.appendDeferringDurability([sampleRecord(number)]) { result in
                    guard case .success = result else { return }
                    seen.withLock { $0.onLoop += UInt(pthread_self()) == loopThread ? 1 : 0 }
                }
            }
            let completedBeforeTurn = seen.withLock { $0.onLoop }
            let syncsBeforeTurn = log.syncCount
            turn.runPending()
            seen.withLock {
                $0.beforeTurn = completedBeforeTurn
                $0.syncsBefore = syncsBeforeTurn - syncs
                $0.syncsAfter = log.syncCount - syncs
                $0.flushed = log.flushedOffset
            }
        }
        let result = seen.withLock { $0 }
        #expect(result.beforeTurn == 0, "nothing is durable before the end of the turn")
        #expect(result.syncsBefore == 0)
        #expect(result.syncsAfter == 1, "one sync for the turn's three appends")
        #expect(result.onLoop == 3, "every callback ran on the loop thread, at the end of the turn")
        #expect(result.flushed == 3)
    }

    /// Loop A's end-of-turn round is syncing; loop B appends meanwhile and its own round finds the flush lock
    /// taken. B leaves its appends to A (no flusher thread is woken) and A syncs them at the end of its next
    /// turn, not within this one, so A polls its own sockets first.
    @Test func aRoundThatFindsTheLockTaken_IsPassedToTheHolder_ForItsNextTurn() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .always))
        defer { test.close() }
        let log = test.log
        struct Seen {
            var bDone = false
            var bOnThreadA = false
            var bDoneAfterItsTurn = true
            var wantedAfterBsTurn = false
            var pendingForNextTurn = false
            var bDoneAfterAsTurn = true
            var bDoneAfterAsExtraRound = true
            var syncsBeforeNextTurn = 0
            var syncsAfterNextTurn = 0
        }
        let seen = Mutex(Seen())
        onLoopThread { turnA in
            let threadA = UInt(pthread_self())
            _ = try? log.appendDeferringDurability([sampleRecord(0)]) { _ in
                // Under A's flush lock: loop B appends and ends its turn.
                onLoopThread { turnB in
                    _ = try? log.appendDeferringDurability([sampleRecord(1)]) { result in
                        guard case .success = result else { return }
                        seen.withLock {
                            $0.bDone = true
                            $0.bOnThreadA = UInt(pthread_self()) == threadA
                        }
                    }
                    _ = turnB.runSyncs()
                    let wanted = log.roundLeftToTheLockHolder
                    seen.withLock {
                        $0.bDoneAfterItsTurn = $0.bDone
                        $0.wantedAfterBsTurn = wanted
                    }
                }
            }
            let syncs = log.syncCount
            _ = turnA.runSyncs()
            seen.withLock {
                $0.pendingForNextTurn = turnA.hasPending
                $0.bDoneAfterAsTurn = $0.bDone
            }
            _ = turnA.runSyncs()  // more rounds of this turn's end do not run it
            seen.withLock {
                $0.bDoneAfterAsExtraRound = $0.bDone
                $0.syncsBeforeNextTurn = log.syncCount - syncs
            }
            turnA.beginTurnEnd()
            _ = turnA.runSyncs()
            seen.withLock { $0.syncsAfterNextTurn = log.syncCount - syncs }
        }
        let result = seen.withLock { $0 }
        #expect(!result.bDoneAfterItsTurn, "B's append is not in A's round, which snapshotted before it")
        #expect(result.wantedAfterBsTurn, "B left a round to the lock holder")
        #expect(result.pendingForNextTurn, "A took it for its next turn when it released the lock")
        #expect(!result.bDoneAfterAsTurn)
        #expect(!result.bDoneAfterAsExtraRound, "nobody synced it in between: no flusher was asked")
        #expect(result.syncsBeforeNextTurn == 1)
        #expect(result.bDone && result.bOnThreadA, "A's next turn synced B's append")
        #expect(result.syncsAfterNextTurn == 2)
        #expect(log.flushedOffset == 2)
    }

    /// Loop B's round finds the lock taken by a round that snapshotted B's append: nothing is left to do.
    @Test func aRoundThatFindsTheLockTaken_ByARoundCoveringIt_LeavesNothingBehind() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .always))
        defer { test.close() }
        let log = test.log
        // 0: B appended; 1: the other round is completing B's append, under its lock; 2: B's turn ended.
        let phase = Mutex(0)
        let waitForPhase: @Sendable (Int) -> Void = { wanted in  // bounded: about 10 s
            for _ in 0..<10_000 where phase.withLock({ $0 }) < wanted { usleep(1000) }
        }
        let seen = Mutex<(wanted: Bool, pendingB: Bool, bDone: Bool)>((true, true, false))
        onLoopThread { turnB in
            _ = try? log.appendDeferringDurability([sampleRecord(0)]) { result in
                guard case .success = result else { return }
                seen.withLock { $0.bDone = true }
                phase.withLock { $0 = 1 }
                waitForPhase(2)
            }
            let other = SystemThread(name: "test-flush") { try? log.flush() }  // a round on a thread that is no loop
            waitForPhase(1)
            _ = turnB.runSyncs()
            let wanted = log.roundLeftToTheLockHolder
            seen.withLock {
                $0.wanted = wanted
                $0.pendingB = turnB.hasPending
            }
            phase.withLock { $0 = 2 }
            other.join()
        }
        let result = seen.withLock { $0 }
        #expect(result.bDone)
        #expect(!result.wanted, "the round in progress covers B's append")
        #expect(!result.pendingB)
        #expect(log.flushedOffset == 1)
    }

    /// Four loops append to one partition, turn after turn, and keep turning until every append is durable:
    /// however their rounds overlap (left to the lock holder, passed on to its next turn, covered by a later
    /// snapshot), no append is left without a round and each callback runs exactly once.
    @Test func loopsAppendingConcurrently_GetEveryCallbackExactlyOnce() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .always))
        defer { test.close() }
        let log = test.log
        let loops = 4
        let appendsPerLoop = 300
        let total = loops * appendsPerLoop
        let calls = Mutex([Int](repeating: 0, count: total))
        let completed = Atomic<Int>(0)
        let threads = (0..<loops).map { loop in
            SystemThread(name: "test-loop-\(loop)") {
                let turn = EndOfTurnQueue()
                turn.install()
                defer { turn.uninstall() }
                var appended = 0
                // Bounded: about 20 s of turns at most, then the expectations below report what is missing.
                let deadline = MonotonicClock.nanoseconds() + 20_000_000_000
                while completed.load(ordering: .relaxed) < total && MonotonicClock.nanoseconds() < deadline {
                    for _ in 0..<(1 + appended % 3) where appended < appendsPerLoop {
                        let id = loop * appendsPerLoop + appended
                        appended += 1
                        _ = try? log.appendDeferringDurability([sampleRecord(id)]) { result in
                            guard case .success = result else { return }
                            calls.withLock { $0[id] += 1 }
                            completed.add(1, ordering: .relaxed)
                        }
                    }
                    turn.beginTurnEnd()
                    while turn.runSyncs() {}
                    if appended == appendsPerLoop { usleep(100) }  // an idle loop's poll
                }
            }
        }
        for thread in threads { thread.join() }
        let counts = calls.withLock { $0 }
        #expect(completed.load(ordering: .relaxed) == total)
        #expect(
            counts.allSatisfy { $0 == 1 },
            "appends not completed exactly once: \(counts.indices.filter { counts[$0] != 1 }.prefix(10))")
        #expect(log.flushedOffset == Int64(total))
    }

    @Test func withInlineSyncsOff_AFlusherThreadSyncs_WithoutTheTurnEnding() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .always), inlineSyncLimitNanoseconds: 0)
        defer { test.close() }
        let log = test.log
        let done = ConditionLock<Int>(0)
        let pendingAtEnd = Mutex(true)
        onLoopThread { turn in
            for number in 0..<3 {
                _ = try? log.appendDeferringDurability([sampleRecord(number)]) { _ in
                    done.withLockThenSignal { $0 += 1 }
                }
            }
            // Bounded wait (about 10 s at most) for the flusher thread, with this turn still open.
            for _ in 0..<10_000 where done.withLock({ $0 }) < 3 { usleep(1000) }
            pendingAtEnd.withLock { $0 = turn.hasPending }
        }
        #expect(done.withLock { $0 } == 3)
        #expect(!pendingAtEnd.withLock { $0 }, "no work was left for the loop")
    }

    @Test func blockingAppend_OnALoopThread_DoesNotWaitForTheTurnToEnd() throws {
        let test = try TestLog.make(LogConfiguration(flushPolicy: .always))
        defer { test.close() }
        let log = test.log
        let flushed = Mutex<Int64>(-1)
        onLoopThread { _ in
            _ = try? log.append([sampleRecord(0)])  // would deadlock if its sync were left to this thread's turn
            flushed.withLock { $0 = log.flushedOffset }
        }
        #expect(flushed.withLock { $0 } == 1)
    }
}

extension PartitionLog {
    /// Appends wait for a sync and no round is scheduled for them: their loop's round gave up while another
    /// round was syncing, and the thread holding the flush lock is to schedule one when it releases it.
    var roundLeftToTheLockHolder: Bool { state.withLock { !$0.durabilityWaiters.isEmpty && !$0.flushQueued } }
}
