import FerrySystem
import Synchronization
import Testing

@testable import FerryLog

#if canImport(Glibc)
    import Glibc
#endif

/// ``FlushScheduler``'s timed flushes (`interval`): they run in due order, not before they are due, and a
/// shutdown runs the ones still waiting at once.
struct FlushSchedulerTests {
    /// The names of the targets flushed, in order.
    final class FlushLog: Sendable {
        let names = Mutex<[String]>([])
        var snapshot: [String] { names.withLock { $0 } }
    }

    /// A flush target that records its name when flushed.
    final class RecordingTarget: FlushTarget {
        let name: String
        let log: FlushLog
        init(_ name: String, into log: FlushLog) {
            self.name = name
            self.log = log
        }
        func runScheduledFlush() { log.names.withLock { $0.append(name) } }
    }

    @Test func timedFlushes_RunInDueOrder_NotBeforeTheyAreDue_AndShutdownRunsTheRestAtOnce() {
        let scheduler = FlushScheduler(threadCount: 1)
        let flushed = FlushLog()
        let started = MonotonicClock.nanoseconds()
        scheduler.scheduleFlush(RecordingTarget("third", into: flushed), afterMilliseconds: 90)
        scheduler.scheduleFlush(RecordingTarget("first", into: flushed), afterMilliseconds: 30)
        scheduler.scheduleFlush(RecordingTarget("second", into: flushed), afterMilliseconds: 60)
        scheduler.scheduleFlush(RecordingTarget("at shutdown", into: flushed), afterMilliseconds: 600_000)
        // Bounded wait (about 10 s) for the three near ones.
        for _ in 0..<10_000 where flushed.snapshot.count < 3 { usleep(1000) }
        let elapsed = MonotonicClock.nanoseconds() - started
        #expect(flushed.snapshot == ["first", "second", "third"])
        #expect(elapsed >= 90_000_000, "the last was due after 90 ms")
        scheduler.shutdown()
        #expect(flushed.snapshot == ["first", "second", "third", "at shutdown"])
        scheduler.scheduleFlush(RecordingTarget("after shutdown", into: flushed), afterMilliseconds: 600_000)
        #expect(flushed.snapshot.last == "after shutdown", "after shutdown a request runs on the caller")
    }
}
