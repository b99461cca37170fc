import Synchronization

/// Remembers produce responses by `Idempotency-Key` (per topic) for a retention window (10 minutes).
///
/// A first request *reserves* its key; a repeat that arrives while the first is still in flight waits for the
/// first's response instead of appending again. A repeat with a different request fingerprint is a conflict.
/// With a journal, every answer is also written to `__ferry_idempotency` and handed out only once that write is
/// durable, so the keys of answered requests survive a restart or a crash; ``restore(_:)`` reloads them at
/// start-up. Thread-safe; callbacks run outside the lock.
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
        let scopedKey: ScopedKey
    }

    /// A key is scoped to its topic: the same key on two topics is two entries.
    struct ScopedKey: Sendable, Hashable {
        let topic: String
        let key: String
    }

    struct Entry {
        var fingerprint: UInt64
        var expiresAt: Int64
        var response: Response?
        var waiters: [@Sendable (Response?) -> Void] = []
    }

    let window: Int64
    let now: @Sendable () -> Int64
    let entries = Mutex<[ScopedKey: Entry]>([:])
    let journal: IdempotencyStateLog?

    public convenience init(windowMilliseconds: Int64 = 600_000, now: @escaping @Sendable () -> Int64) {
        self.init(windowMilliseconds: windowMilliseconds, now: now, journal: nil)
    }

    init(windowMilliseconds: Int64, now: @escaping @Sendable () -> Int64, journal: IdempotencyStateLog?) {
        self.window = windowMilliseconds
        self.now = now
        self.journal = journal
    }

    /// Looks up `key` on `topic`. When the answer is `.waiting`, `onReady` is called later with the first
    /// request's response (nil if it failed without one, then the caller should process the request itself).
    public func begin(
        topic: String, key: String, fingerprint: UInt64, onReady: @escaping @Sendable (Response?) -> Void
    ) -> Decision {
        let scoped = ScopedKey(topic: topic, key: key)
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

    /// Stores the response of a reserved request; once it is remembered (journaled and durable, or at once
    /// without a journal) hands it to requests that waited for it and calls `whenRemembered`, where the caller
    /// answers its client. A journal write that fails still answers (the messages are stored; only the key's
    /// survival of a crash is lost).
    public func complete(
        _ reservation: Reservation, response: Response, whenRemembered: @escaping @Sendable () -> Void = {}
    ) {
        let remembered: (waiters: [@Sendable (Response?) -> Void], entry: IdempotencyStateLog.Entry?) = entries.withLock
        { entries in
            guard var entry = entries[reservation.scopedKey] else { return ([], nil) }
            let waiters = entry.waiters
            entry.waiters = []
            entry.response = response
            entries[reservation.scopedKey] = entry
            return (
                waiters,
                IdempotencyStateLog.Entry(
                    topic: reservation.scopedKey.topic, key: reservation.scopedKey.key, fingerprint: entry.fingerprint,
                    expiresAt: entry.expiresAt, response: response)
            )
        }
        let answer: @Sendable () -> Void = {
            remembered.waiters.forEach { $0(response) }
            whenRemembered()
        }
        guard let journal, let entry = remembered.entry else { return answer() }
        journal.append(entry) { _ in answer() }
    }

    /// Loads journaled answers at start-up (later lines win); expired ones are skipped. Returns how many are live.
    @discardableResult
    func restore(_ journaled: [IdempotencyStateLog.Entry]) -> Int {
        let time = now()
        return entries.withLock { entries in
            for item in journaled where item.expiresAt > time {
                entries[ScopedKey(topic: item.topic, key: item.key)] = Entry(
                    fingerprint: item.fingerprint, expiresAt: item.expiresAt, response: item.response)
            }
            return entries.count
        }
    }

    /// Appends the unexpired answers to the journal (its compaction, see
    /// ``InternalLineJournal/compact(appendSnapshot:)``); returns how many. Needs no lock across the append:
    /// an answer is set in the cache before its line is journaled, and lines only set, so one journaled again
    /// after the snapshot replays the same.
    func appendSnapshot() -> Int {
        guard let journal else { return 0 }
        let live = liveEntries()
        journal.appendSnapshot(live)
        return live.count
    }

    /// The unexpired answers, for compacting the journal.
    func liveEntries() -> [IdempotencyStateLog.Entry] {
        let time = now()
        return entries.withLock { entries in
            entries.compactMap { scoped, entry -> IdempotencyStateLog.Entry? in
                guard let response = entry.response, entry.expiresAt > time else { return nil }
                return IdempotencyStateLog.Entry(
                    topic: scoped.topic, key: scoped.key, fingerprint: entry.fingerprint, expiresAt: entry.expiresAt,
                    response: response)
            }.sorted { $0.expiresAt < $1.expiresAt }
        }
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
