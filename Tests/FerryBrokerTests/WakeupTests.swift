import Dispatch
import FerryBroker
import FerrySystem
import FerryTesting
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ``Wakeup``: the first source wins, and an answered wait releases its memory at once, not at its deadline.
struct WakeupTests {
    /// Something the action holds, to see when the wake-up (and so the action) is gone.
    final class Payload: Sendable {}

    @Test func firedByData_IsReleasedLongBeforeItsDeadline() async throws {
        weak var weakPayload: Payload?
        weak var weakWakeup: Wakeup?
        let reasons = Mutex<[WakeReason]>([])
        do {
            let payload = Payload()
            weakPayload = payload
            let wakeup = Wakeup { reason in
                _ = payload
                reasons.withLock { $0.append(reason) }
            }
            weakWakeup = wakeup
            wakeup.fire(after: 60_000)
            #expect(wakeup.fire(.data))
            #expect(!wakeup.fire(.timeout), "only the first source fires")
        }
        // The timer's cancellation and the action run on Dispatch threads: a bounded wait, far below 60 s.
        for _ in 0..<200 where weakWakeup != nil || weakPayload != nil {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(weakWakeup == nil, "the wake-up is released once it fired")
        #expect(weakPayload == nil, "and so is what its action held")
        #expect(reasons.withLock { $0 } == [.data])
    }

    @Test func deadline_FiresTimeout_WhenNothingElseDoes() {
        let timers = ManualTimerSource()
        let reasons = Mutex<[WakeReason]>([])
        let wakeup = Wakeup(timers: timers) { reason in reasons.withLock { $0.append(reason) } }
        wakeup.fire(after: 20_000)
        timers.advance(by: .milliseconds(19_999))
        #expect(reasons.withLock { $0 }.isEmpty)
        #expect(!wakeup.hasFired)
        // The deadline's action runs on the timer's thread (here: the one advancing the clock), not after a hop.
        timers.advance(by: .milliseconds(1))
        #expect(reasons.withLock { $0 } == [.timeout])
        #expect(wakeup.hasFired)
        #expect(timers.pendingCount == 0)
    }

    @Test func firedByData_CancelsItsDeadlineAtOnce() async throws {
        let timers = ManualTimerSource()
        let answered = Mutex<[WakeReason]>([])
        let wakeup = Wakeup(timers: timers) { reason in answered.withLock { $0.append(reason) } }
        wakeup.fire(after: 60_000)
        #expect(timers.pendingCount == 1)
        #expect(wakeup.fire(.data))
        #expect(timers.pendingCount == 0, "the timer is cancelled when another source fires")
        timers.advance(by: .milliseconds(60_000))
        // The data action runs on a Dispatch thread: a bounded wait for it (not a timing assertion).
        for _ in 0..<500 where answered.withLock({ $0.isEmpty }) {
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(answered.withLock { $0 } == [.data])
    }

    @Test func manyWaiters_AreAnsweredInDeadlineOrder_AsTheClockAdvances() {
        let timers = ManualTimerSource()
        let order = Mutex<[Int]>([])
        let wakeups = [300, 100, 200].map { deadline in
            let wakeup = Wakeup(timers: timers) { _ in order.withLock { $0.append(deadline) } }
            wakeup.fire(after: deadline)
            return wakeup
        }
        timers.advance(by: .milliseconds(150))
        #expect(order.withLock { $0 } == [100])
        timers.advance(by: .milliseconds(1_000))
        #expect(order.withLock { $0 } == [100, 200, 300])
        #expect(wakeups.allSatisfy { $0.hasFired })
    }

    @Test func dispatchDeadline_StillFires() async throws {
        let reasons = Mutex<[WakeReason]>([])
        let wakeup = Wakeup { reason in reasons.withLock { $0.append(reason) } }
        wakeup.fire(after: 0)
        for _ in 0..<1000 where reasons.withLock({ $0.isEmpty }) {
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(reasons.withLock { $0 } == [.timeout])
    }

    @Test func firedOnAnEventLoop_RunsItsActionAtTheEndOfThatLoopsTurn_OnTheLoop() {
        let log = Mutex<[String]>([])
        let thread = SystemThread(name: "test-loop") {
            let turn = EndOfTurnQueue()
            turn.install()
            let loopThread = UInt(pthread_self())
            let wakeup = Wakeup { reason in
                let onLoop = UInt(pthread_self()) == loopThread
                log.withLock { $0.append("action \(reason) on loop: \(onLoop)") }
            }
            #expect(wakeup.fire(.data))
            log.withLock { $0.append("fired") }
            turn.runPending()
            turn.uninstall()
        }
        thread.join()
        #expect(log.withLock { $0 } == ["fired", "action data on loop: true"])
    }
}
