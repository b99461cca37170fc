import Dispatch
import FerrySystem
import Synchronization
import Testing

struct AtomicCountingTests {
    @Test func decrementIfPositive_ReturnsTheValueItHad_AndTakesNothingAtZero() {
        let count = Atomic<Int>(2)
        #expect(count.decrementIfPositive() == 2)
        #expect(count.decrementIfPositive() == 1)
        #expect(count.decrementIfPositive() == nil)
        #expect(count.load(ordering: .relaxed) == 0)
        count.store(-3, ordering: .relaxed)
        #expect(count.decrementIfPositive() == nil)
        #expect(count.load(ordering: .relaxed) == -3)
    }

    /// Racing takers get exactly as many units as there were, and the count stops at zero.
    @Test func decrementIfPositive_UnderContention_NeverTakesMoreThanThereIs() {
        let count = Atomic<Int>(1000)
        let taken = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<200 where count.decrementIfPositive() != nil {
                taken.add(1, ordering: .relaxed)
            }
        }
        #expect(taken.load(ordering: .relaxed) == 1000)
        #expect(count.load(ordering: .relaxed) == 0)
    }
}
