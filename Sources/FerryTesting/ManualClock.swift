import Synchronization

/// Wall-clock milliseconds that a test moves by hand, for code that takes its time as a `() -> Int64`
/// (retention, leases, sessions, idempotency windows): no sleeping, no timed assertions. Thread-safe.
public final class ManualClock: Sendable {
    private let value: Atomic<Int64>

    /// Starts at `start` milliseconds since the epoch (default: a date in November 2023).
    public init(milliseconds start: Int64 = 1_700_000_000_000) {
        value = Atomic(start)
    }

    /// The current time.
    public var milliseconds: Int64 { value.load(ordering: .relaxed) }

    /// Moves the clock forward (or back, with a negative amount).
    public func advance(by milliseconds: Int64) { value.add(milliseconds, ordering: .relaxed) }

    /// The clock as the closure the code under test reads.
    public var now: @Sendable () -> Int64 { { [self] in milliseconds } }
}
