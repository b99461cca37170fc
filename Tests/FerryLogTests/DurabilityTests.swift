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
