import Synchronization

/// Remembers produce responses by `Idempotency-Key` (per topic) for a retention window (10 minutes).
///
/// A first request *reserves* its key; a repeat that arrives while the first is still in flight waits for the
/// first's response instead of appending again. A repeat with a different request fingerprint is a conflict.
/// Entries are kept in memory only (a restart forgets them). Thread-safe; callbacks run outside the lock.
public final class IdempotencyCache: Sendable {
    /// A stored response: HTTP status and body, replayed byte for byte.
    public struct Response: Sendable, Equatable {
        public var status: Int
        public var body: [UInt8]
        public init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }
    }

    /// What to do with an incoming request.
    public enum Decision: Sendable {
        /// New key: go ahead, then call ``complete(_:response:)`` (or ``abandon(_:)``) with this reservation.
        case proceed(Reservation)
        /// Seen before with the same fingerprint: answer with this.
        case replay(Response)
        /// Seen before with a different fingerprint.
        case conflict
        /// The first request is still in flight; the callback passed to `begin` will get its response.
        case waiting
    }

    public struct Reservation: Sendable, Hashable {
        let scopedKey: String
    }

    struct Entry {
        var fingerprint: UInt64
        var expiresAt: Int64
        var response: Response?
        var waiters: [@Sendable (Response?) -> Void] = []
    }

    let window: Int64
    let now: @Sendable () -> Int64
    let entries = Mutex<[String: Entry]>([:])

    public init(windowMilliseconds: Int64 = 600_000, now: @escaping @Sendable () -> Int64) {
        self.window = windowMilliseconds
        self.now = now
    }

    /// Looks up `key` on `topic`. When the answer is `.waiting`, `onReady` is called later with the first
    /// request's response (nil if it failed without one, then the caller should process the request itself).
    public func begin(
        topic: String, key: String, fingerprint: UInt64, onReady: @escaping @Sendable (Response?) -> Void
    ) -> Decision {
        let scoped = topic + "\u{0}" + key
        let time = now()
        return entries.withLock { entries in
            if let entry = entries[scoped], entry.expiresAt > time {
                guard entry.fingerprint == fingerprint else { return .conflict }
                if let response = entry.response { return .replay(response) }
                entries[scoped]?.waiters.append(onReady)
                return .waiting
            }
            entries[scoped] = Entry(fingerprint: fingerprint, expiresAt: time + window)
            return .proceed(Reservation(scopedKey: scoped))
        }
    }

    /// Stores the response of a reserved request and hands it to requests that waited for it.
    public func complete(_ reservation: Reservation, response: Response) {
        let waiters: [@Sendable (Response?) -> Void] = entries.withLock { entries in
            guard var entry = entries[reservation.scopedKey] else { return [] }
            let waiters = entry.waiters
            entry.waiters = []
            entry.response = response
            entries[reservation.scopedKey] = entry
            return waiters
        }
        waiters.forEach { $0(response) }
    }

    /// Forgets a reservation whose request failed in a way that should not be replayed (e.g. a 5xx).
    public func abandon(_ reservation: Reservation) {
        let waiters = entries.withLock { $0.removeValue(forKey: reservation.scopedKey)?.waiters ?? [] }
        waiters.forEach { $0(nil) }
    }

    /// Drops expired entries; returns how many. Called periodically by the broker's housekeeping.
    @discardableResult
    public func purgeExpired() -> Int {
        let time = now()
        return entries.withLock { entries in
            let before = entries.count
            entries = entries.filter { $0.value.expiresAt > time || $0.value.response == nil }
            return before - entries.count
        }
    }
}

/// FNV-1a 64-bit, for request fingerprints (not a security boundary: the key is the client's own).
public struct FNV1a64: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
    }

    public mutating func combine(_ string: Substring) {
        combine(string.utf8)
        combine(CollectionOfOne(0))
    }

    public mutating func combine(_ string: String) {
        combine(string.utf8)
        combine(CollectionOfOne(0))
    }
}
