/// Where a component reads monotonic time: `CLOCK_MONOTONIC` (``system``), or a closure a test moves by hand
/// (``manual(_:)``), so timeouts can be tested without sleeping.
///
/// Reading ``system`` costs one `clock_gettime` and a nil check: no indirect call, nothing allocated. Callers on a
/// hot path read it once per loop turn, not per byte. Thread-safe; a manual reading must be too.
public struct MonotonicTimeSource: Sendable {
    @usableFromInline
    let reading: (@Sendable () -> UInt64)?

    @usableFromInline
    init(reading: (@Sendable () -> UInt64)?) {
        self.reading = reading
    }

    /// The process's monotonic clock (``MonotonicClock``).
    public static let system = MonotonicTimeSource(reading: nil)

    /// Time as `read` reports it, in nanoseconds. `read` must never go backwards and must not block.
    public static func manual(_ read: @escaping @Sendable () -> UInt64) -> MonotonicTimeSource {
        MonotonicTimeSource(reading: read)
    }

    /// Nanoseconds since an arbitrary fixed point.
    @inlinable
    public func nanoseconds() -> UInt64 {
        if let reading { return reading() }
        return MonotonicClock.nanoseconds()
    }
}
