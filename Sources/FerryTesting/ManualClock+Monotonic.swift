import FerrySystem

extension ManualClock {
    /// The same hand-moved time as monotonic nanoseconds, for components that take a ``MonotonicTimeSource``
    /// (HTTP timeouts): advancing the clock by a millisecond advances it by 1 000 000 ns.
    public var monotonic: MonotonicTimeSource {
        .manual { [self] in UInt64(clamping: milliseconds) &* 1_000_000 }
    }
}
