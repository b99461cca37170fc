import Synchronization

/// When a loop's listener stops being watched because `accept` cannot take a connection now (out of descriptors
/// or memory, or the descriptor it gave is in the reserve, ``ListeningSocket/connectionDescriptorCeiling()``).
///
/// A level-triggered listener stays readable while clients wait, so a loop that kept watching it would spin. The
/// loop stops watching it until ``until`` (a back-off from `initialBackoff`, doubling up to `maxBackoff`) and
/// serves the connections it has meanwhile; pending clients wait in the listen backlog. An *episode* is the
/// pauses between two successful accepts. Loop-confined value: each loop keeps its own.
public struct AcceptPause {
    /// Monotonic nanoseconds at which the pause ends; 0 while accepting.
    public private(set) var until: UInt64 = 0
    /// When the current episode began; 0 outside one.
    public private(set) var episodeStarted: UInt64 = 0
    /// Pauses in the current episode.
    public private(set) var retries = 0
    private var backoff: UInt64 = 0
    private let initialBackoff: UInt64
    private let maxBackoff: UInt64

    public init(initialBackoff: UInt64, maxBackoff: UInt64) {
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// Pauses, or lengthens the pause, from `now`. Returns true when the listener was being watched: the caller
    /// stops watching it (and may warn: a new pause began).
    public mutating func pause(now: UInt64) -> Bool {
        let began = until == 0
        if episodeStarted == 0 {
            episodeStarted = now
            retries = 0
        }
        retries += 1
        backoff = backoff == 0 ? initialBackoff : min(backoff * 2, maxBackoff)
        until = now + backoff
        return began
    }

    /// True when a pause has run out at `now`: the caller calls ``resume()`` and watches the listener again.
    public func isOver(now: UInt64) -> Bool { until != 0 && now >= until }

    /// The pause ran out; accepting may fail again (and pause again, longer).
    public mutating func resume() { until = 0 }

    /// An accept worked: ends the episode. Returns how long it lasted and its pauses, when there was one.
    public mutating func acceptSucceeded(now: UInt64) -> (nanoseconds: UInt64, retries: Int)? {
        guard episodeStarted != 0 else { return nil }
        defer {
            episodeStarted = 0
            backoff = 0
        }
        return (now &- episodeStarted, retries)
    }
}

/// Lets an event through at most once per `interval` (a warning that would otherwise repeat on every retry),
/// across the threads that share it. Thread-safe.
public final class RateLimitedEvent: Sendable {
    private let last = Atomic<UInt64>(0)
    private let interval: UInt64

    public init(intervalNanoseconds: UInt64) { interval = intervalNanoseconds }

    /// True when the event may happen at `now` (monotonic nanoseconds), which then counts as its last time.
    /// `now` may be a loop's cached reading, older than another thread's last time: that never reads as "long
    /// ago" (no unsigned wrap-around).
    public func admit(now: UInt64) -> Bool {
        let previous = last.load(ordering: .relaxed)
        guard previous == 0 || (now > previous && now - previous >= interval) else { return false }
        return last.compareExchange(expected: previous, desired: now, ordering: .relaxed).exchanged
    }
}
