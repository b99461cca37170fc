/// A flag set once that other threads wait on, with a time limit. Thread-safe.
public final class OneShotSignal: Sendable {
    private let state = ConditionLock(false)

    public init() {}

    /// Sets the flag and wakes every waiter.
    public func set() { state.withLockThenSignal { $0 = true } }

    public var isSet: Bool { state.withLock { $0 } }

    /// Blocks until the flag is set or `timeout` passed; returns whether it is set.
    @discardableResult
    public func wait(timeout: Duration) -> Bool {
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
        let deadline = MonotonicClock.nanoseconds() + UInt64(nanoseconds)
        return state.wait(deadline: { _ in deadline }) { set in
            set ? true : (MonotonicClock.nanoseconds() >= deadline ? false : nil)
        }
    }
}
