import Dispatch
import FerryBroker
import Synchronization
import Testing

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

    @Test func deadline_FiresTimeout_WhenNothingElseDoes() async throws {
        let reasons = Mutex<[WakeReason]>([])
        let wakeup = Wakeup { reason in reasons.withLock { $0.append(reason) } }
        wakeup.fire(after: 20)
        for _ in 0..<300 where reasons.withLock({ $0.isEmpty }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(reasons.withLock { $0 } == [.timeout])
        #expect(wakeup.hasFired)
    }
}
