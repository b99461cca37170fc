#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock time (`CLOCK_REALTIME`, since the Unix epoch): the one place Ferry reads it (and, below, the
/// monotonic clock). Timestamps of messages, `created_at`, webhook signatures, log lines and metrics all come
/// from here; code that must be testable takes a `() -> Int64` clock defaulting to ``milliseconds()``.
/// Inlinable: the event loops read the clocks per request from another module. Thread-safe.
public enum WallClock {
    /// Seconds and nanoseconds since the epoch.
    @inlinable
    public static func now() -> (seconds: Int, nanoseconds: Int) {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return (time.tv_sec, time.tv_nsec)
    }

    /// Whole milliseconds since the epoch.
    @inlinable
    public static func milliseconds() -> Int64 {
        let (seconds, nanoseconds) = now()
        return Int64(seconds) * 1000 + Int64(nanoseconds) / 1_000_000
    }

    /// Seconds since the epoch, with a fraction.
    @inlinable
    public static func seconds() -> Double {
        let (seconds, nanoseconds) = now()
        return Double(seconds) + Double(nanoseconds) / 1e9
    }
}

/// Monotonic time (`CLOCK_MONOTONIC`), for scheduling and durations; never for timestamps stored on disk.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point.
    @inlinable
    public static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

extension Duration {
    /// The duration in whole nanoseconds (sub-nanosecond parts dropped; negative for a negative duration). The
    /// one conversion timers, histograms and deadlines share; it overflows only beyond about 292 years.
    @inlinable
    public var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
