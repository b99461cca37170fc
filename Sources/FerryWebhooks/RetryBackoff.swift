/// Exponential backoff with jitter for webhook retries. Immutable value; `Sendable`; pure (no clock, no I/O).
///
/// Retry `n` (1-based: the wait before the (n+1)-th attempt) waits `uniform(0.5, 1.0) × min(cap, base × 2^(n−1))`:
/// about `base` before the first retry, doubling, capped at `cap` (1 s and 5 min by default; tests use ms).
/// A `Retry-After` from the receiver replaces the computed delay, capped at `cap` too.
public struct RetryBackoff: Sendable {
    public let base: Duration
    public let cap: Duration

    /// - Precondition: `base > .zero` and `cap >= base`.
    public init(base: Duration = .seconds(1), cap: Duration = .seconds(300)) {
        precondition(base > .zero && cap >= base, "RetryBackoff needs 0 < base <= cap")
        self.base = base
        self.cap = cap
    }

    /// The delay before retry `retry` (1-based; values below 1 count as 1).
    public func delay(forRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        var ceiling = base
        var step = 1
        while step < retry && ceiling < cap {
            ceiling = ceiling * 2
            step += 1
        }
        ceiling = min(ceiling, cap)
        return ceiling * Double.random(in: 0.5...1.0, using: &generator)
    }

    /// The delay before retry `retry`: the receiver's `retryAfter` (capped at ``cap``) when given, else
    /// ``delay(forRetry:using:)``.
    public func delay(
        forRetry retry: Int, retryAfter: Duration?, using generator: inout some RandomNumberGenerator
    ) -> Duration {
        if let retryAfter { return min(max(retryAfter, .zero), cap) }
        return delay(forRetry: retry, using: &generator)
    }

    /// Parses a `Retry-After` value (RFC 9110 §10.2.3): delay-seconds (`120`) or an HTTP-date (IMF-fixdate
    /// `Sun, 06 Nov 1994 08:49:37 GMT`; also the obsolete RFC 850 and asctime forms), relative to `now`
    /// (milliseconds since the Unix epoch). A date in the past gives `.zero`. Nil when unparseable.
    /// The result is not capped: see ``delay(forRetry:retryAfter:using:)``.
    public static func retryAfter(_ headerValue: String, now: Int64) -> Duration? {
        let value = headerValue.trimmingSpaces
        if !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard value.utf8.count <= 9, let seconds = Int64(value) else { return .seconds(999_999_999) }
            return .seconds(seconds)
        }
        guard let epochSeconds = HTTPDate.parse(value) else { return nil }
        let milliseconds = epochSeconds * 1000 - now
        return milliseconds > 0 ? .milliseconds(milliseconds) : .zero
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
