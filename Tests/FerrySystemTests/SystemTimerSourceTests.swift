import Dispatch
import Synchronization
import Testing

@testable import FerrySystem

/// The production timers: work runs once even when nobody keeps the cancellation, not at all once cancelled, never
/// early, and an earlier deadline armed after a later one is not held up by it.
struct SystemTimerSourceTests {
    final class Count: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test func work_RunsOnce_WhenTheCancellationIsDropped() {
        let fired = DispatchSemaphore(value: 0)
        let count = Count()
        SystemTimerSource().schedule(after: .milliseconds(5)) {
            count.value.add(1, ordering: .relaxed)
            fired.signal()
        }
        #expect(fired.wait(timeout: .now() + 10) == .success)
        #expect(fired.wait(timeout: .now() + 0.1) == .timedOut)
        #expect(count.value.load(ordering: .relaxed) == 1)
    }

    final class Captured: Sendable {}

    @Test func cancelledWork_NeverRuns_AndIsReleasedAtOnce() {
        let count = Count()
        weak var captured: Captured?
        let cancel: TimerCancellation = {
            let object = Captured()
            captured = object
            return SystemTimerSource().schedule(after: .milliseconds(50)) {
                _ = object
                count.value.add(1, ordering: .relaxed)
            }
        }()
        #expect(captured != nil)
        cancel()
        cancel()  // any number of times
        #expect(captured == nil)
        let later = DispatchSemaphore(value: 0)
        SystemTimerSource().schedule(after: .milliseconds(100)) { later.signal() }
        #expect(later.wait(timeout: .now() + 10) == .success)
        #expect(count.value.load(ordering: .relaxed) == 0)
    }

    @Test func anEarlierDeadlineArmedAfterALaterOne_IsNotHeldUpByIt() {
        let timers = SystemTimerSource()
        let late = timers.schedule(after: .seconds(3600)) {}
        defer { late() }
        let fired = DispatchSemaphore(value: 0)
        timers.schedule(after: .milliseconds(20)) { fired.signal() }
        #expect(fired.wait(timeout: .now() + 30) == .success)
    }

    @Test func work_RunsNoEarlierThanItsDelay() {
        let timers = SystemTimerSource()
        let done = DispatchSemaphore(value: 0)
        let early = Mutex<[Int]>([])
        let start = timers.nanoseconds()
        for milliseconds in [30, 0, 20, 10] {  // armed out of order
            timers.schedule(after: .milliseconds(milliseconds)) {
                if timers.nanoseconds() - start < UInt64(milliseconds) * 1_000_000 {
                    early.withLock { $0.append(milliseconds) }
                }
                done.signal()
            }
        }
        for _ in 0..<4 { #expect(done.wait(timeout: .now() + 30) == .success) }
        #expect(early.withLock { $0 }.isEmpty)
    }

    @Test func concurrentArmingAndCancelling_FiresExactlyTheKeptOnes() async {
        let timers = SystemTimerSource()
        let fired = Count()
        let cancelledRan = Count()
        let threads = 8
        let perThread = 500
        await withTaskGroup(of: Void.self) { group in
            for thread in 0..<threads {
                group.addTask {
                    for index in 0..<perThread {
                        // Kept: due within 5 ms. Cancelled at once: due 200 ms to 1 s out, so never started.
                        timers.schedule(after: .microseconds((thread * perThread + index) % 5000)) {
                            fired.value.add(1, ordering: .relaxed)
                        }
                        let cancel = timers.schedule(after: .milliseconds(200 + index % 800)) {
                            cancelledRan.value.add(1, ordering: .relaxed)
                        }
                        cancel()
                    }
                }
            }
        }
        let expected = threads * perThread
        let deadline = ContinuousClock.now + .seconds(30)
        while fired.value.load(ordering: .relaxed) < expected, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        try? await Task.sleep(for: .milliseconds(1_100))  // past every cancelled deadline
        #expect(fired.value.load(ordering: .relaxed) == expected)
        #expect(cancelledRan.value.load(ordering: .relaxed) == 0)
    }

    @Test func deadline_ClampsNegativeAndHugeDelays() {
        #expect(SystemTimerSource.deadline(after: .milliseconds(-5), from: 1_000) == 1_000)
        #expect(SystemTimerSource.deadline(after: .milliseconds(2), from: 1_000) == 2_001_000)
        let far = SystemTimerSource.deadline(after: .seconds(Int64.max), from: 1_000)
        #expect(far > 1_000 && far < UInt64.max)
    }
}

/// The heap behind the scheduler: pops in deadline order (ties in scheduling order) whatever was removed.
struct DeadlineHeapTests {
    @Test func popsInDeadlineOrder_AfterRandomRemovals() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var heap = DeadlineHeap()
            var live: [TimerEntry] = []
            for sequence in 0..<200 {
                let entry = TimerEntry(
                    deadline: UInt64.random(in: 0..<50, using: &generator), sequence: UInt64(sequence), work: {})
                heap.insert(entry)
                live.append(entry)
                if Bool.random(using: &generator), let victim = live.randomElement(using: &generator) {
                    heap.remove(victim)
                    heap.remove(victim)  // twice: a no-op
                    #expect(victim.index == -1)
                    live.removeAll { $0 === victim }
                }
            }
            #expect(heap.count == live.count)
            let expected = live.sorted { $0.precedes($1) }.map(\.sequence)
            var popped: [UInt64] = []
            while let entry = heap.popFirst() { popped.append(entry.sequence) }
            #expect(popped == expected)
        }
    }
}
