/// The journal of remembered produce answers, over partition 0 of the internal topic `__ferry_idempotency`,
/// so that an `Idempotency-Key` outlives a restart or a crash (the case it exists for).
///
/// One line per answer: `k`, topic, key, fingerprint (hex), expiry (ms since the epoch), status, body, tab
/// separated, free text escaped by ``JournalText``. Replaying from the partition's start and keeping unexpired
/// lines rebuilds the cache; the topic's retention (1 hour, well past the 10-minute window) drops old segments,
/// and compaction (``InternalLineJournal/compact(appendSnapshot:)``) replaces a long history by the live entries. Thread-safe.
final class IdempotencyStateLog: Sendable {
    /// One remembered answer.
    struct Entry: Equatable, Sendable {
        var topic: String
        var key: String
        var fingerprint: UInt64
        var expiresAt: Int64
        var response: IdempotencyCache.Response
    }

    let journal: InternalLineJournal

    init(partition: any PartitionStorage, now: @escaping @Sendable () -> Int64) {
        journal = InternalLineJournal(partition: partition, now: now)
    }

    func append(_ entry: Entry, onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void) {
        journal.append([Self.encode(entry)], onDurable: onDurable)
    }

    /// Every decodable entry from the partition's start, in order, and how many lines were read.
    func replay() throws(BrokerError) -> (entries: [Entry], lines: Int) {
        var entries: [Entry] = []
        var lines = 0
        try journal.replay { line in
            lines += 1
            if let entry = Self.decode(line) { entries.append(entry) }
        }
        return (entries, lines)
    }

    /// Appends `live` as one batch (compaction's snapshot).
    func appendSnapshot(_ live: [Entry]) {
        journal.append(live.map(Self.encode)) { _ in }
    }

    static func encode(_ entry: Entry) -> String {
        [
            "k", JournalText.escape(entry.topic), JournalText.escape(entry.key), String(entry.fingerprint, radix: 16),
            String(entry.expiresAt), String(entry.response.status),
            JournalText.escape(String(decoding: entry.response.body, as: UTF8.self)),
        ].joined(separator: "\t")
    }

    static func decode(_ line: String) -> Entry? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 7, fields[0] == "k", let topic = JournalText.unescape(fields[1]),
            let key = JournalText.unescape(fields[2]), let fingerprint = UInt64(fields[3], radix: 16),
            let expiresAt = Int64(fields[4]), let status = Int(fields[5]), (100...599).contains(status),
            let body = JournalText.unescape(fields[6])
        else { return nil }
        return Entry(
            topic: topic, key: key, fingerprint: fingerprint, expiresAt: expiresAt,
            response: .init(status: status, body: Array(body.utf8)))
    }
}
