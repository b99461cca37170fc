import Synchronization

extension Atomic where Value == Int {
    /// Takes one from a count that must not go below zero (a budget, a number of claimable items): subtracts 1
    /// when the value is positive and returns the value it had, or returns nil (nothing taken) at zero or below.
    /// Lock-free; any thread.
    public func decrementIfPositive() -> Int? {
        var current = load(ordering: .relaxed)
        while current > 0 {
            let (exchanged, original) = compareExchange(expected: current, desired: current - 1, ordering: .relaxed)
            if exchanged { return current }
            current = original
        }
        return nil
    }
}
