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
