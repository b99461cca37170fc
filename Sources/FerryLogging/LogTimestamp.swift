import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// RFC 3339 UTC timestamps with milliseconds (`2026-11-25T16:19:52.123Z`).
public enum LogTimestamp {
    /// Wall-clock time as (seconds, nanoseconds) since the Unix epoch.
    public static let now: @Sendable () -> (seconds: Int, nanoseconds: Int) = { WallClock.now() }

    /// Formats a time as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public static func format(seconds: Int, nanoseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "."
            + pad(Int32(nanoseconds / 1_000_000), 3) + "Z"
    }
}
