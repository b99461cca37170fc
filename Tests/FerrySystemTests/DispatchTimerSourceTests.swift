import Dispatch
import FerrySystem
import Synchronization
import Testing

/// The production timers: work runs once even when nobody keeps the cancellation, and not at all once cancelled.
struct DispatchTimerSourceTests {
    final class Count: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test func work_RunsOnce_WhenTheCancellationIsDropped() {
        let fired = DispatchSemaphore(value: 0)
        let count = Count()
        DispatchTimerSource().schedule(after: .milliseconds(5)) {
            count.value.add(1, ordering: .relaxed)
            fired.signal()
        }
        #expect(fired.wait(timeout: .now() + 10) == .success)
        #expect(fired.wait(timeout: .now() + 0.1) == .timedOut)
        #expect(count.value.load(ordering: .relaxed) == 1)
    }

    @Test func cancelledWork_NeverRuns() {
        let count = Count()
        let cancel = DispatchTimerSource().schedule(after: .milliseconds(50)) { count.value.add(1, ordering: .relaxed) }
        cancel()
        let later = DispatchSemaphore(value: 0)
        DispatchTimerSource().schedule(after: .milliseconds(100)) { later.signal() }
        #expect(later.wait(timeout: .now() + 10) == .success)
        #expect(count.value.load(ordering: .relaxed) == 0)
    }
}
