/// The subscription journal over partition 0 of the internal topic `__ferry_subscriptions`.
///
/// Each entry is one record whose value is a tab-separated line; free text (URL, secret, headers, errors) is
/// percent-escaped (`%`, tab, CR, LF, `,`, `;`, `=`), an optional field is empty for nil and `=`-prefixed
/// otherwise. Lines: `c` (created or snapshot: config, generation, positions, counters), `u` (config),
/// `x` (deleted), `p` (position commit with counters), `s` (seek: generation and positions). The entries of
/// one `append` are one atomic batch; replaying the partition from its start rebuilds every subscription.
final class SubscriptionStateLog: Sendable {
    let journal: InternalLineJournal

    init(partition: any PartitionStorage, now: @escaping @Sendable () -> Int64) {
        journal = InternalLineJournal(partition: partition, now: now)
    }

    func append(
        _ entries: [SubscriptionJournalEntry], onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) {
        journal.append(entries.map(Self.encode), onDurable: onDurable)
    }

    /// Every entry from the partition's start (undecodable lines are skipped).
    func replay() throws(BrokerError) -> [SubscriptionJournalEntry] {
        var entries: [SubscriptionJournalEntry] = []
        try journal.replay { line in if let entry = Self.decode(line) { entries.append(entry) } }
        return entries
    }

    // MARK: Encoding

    static func encode(_ entry: SubscriptionJournalEntry) -> String {
        switch entry {
        case .created(let config, let positions, let generation, let stats):
            return (["c"] + configFields(config) + [String(generation), list(positions), statsField(stats)])
                .joined(separator: "\t")
        case .updated(let config):
            return (["u"] + configFields(config)).joined(separator: "\t")
        case .deleted(let topic, let name):
            return "x\t\(topic)\t\(name)"
        case .committed(let topic, let name, let partition, let offset, let stats):
            return "p\t\(topic)\t\(name)\t\(partition)\t\(offset)\t\(statsField(stats))"
        case .seeked(let topic, let name, let generation, let positions):
            return "s\t\(topic)\t\(name)\t\(generation)\t\(list(positions))"
        }
    }

    static func decode(_ line: String) -> SubscriptionJournalEntry? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        switch (fields.first, fields.count) {
        case ("c", 17):
            guard let config = decodeConfig(fields[1...12]), let generation = Int64(fields[13]),
                let positions = decodeList(fields[14]), let stats = decodeStats(fields[15] + "\t" + fields[16])
            else { return nil }
            return .created(config, positions: positions, generation: generation, stats: stats)
        case ("u", 13):
            return decodeConfig(fields[1...12]).map { .updated($0) }
        case ("x", 3):
            return .deleted(topic: fields[1], name: fields[2])
        case ("p", 7):
            guard let partition = Int(fields[3]), let offset = Int64(fields[4]),
                let stats = decodeStats(fields[5] + "\t" + fields[6])
            else { return nil }
            return .committed(topic: fields[1], name: fields[2], partition: partition, offset: offset, stats: stats)
        case ("s", 5):
            guard let generation = Int64(fields[3]), let positions = decodeList(fields[4]) else { return nil }
            return .seeked(topic: fields[1], name: fields[2], generation: generation, positions: positions)
        default:
            return nil
        }
    }

    /// 12 fields: topic, name, createdAt, url, secret?, batch, attempts, timeout, headers, filter?, paused, disabled.
    static func configFields(_ c: SubscriptionConfig) -> [String] {
        [
            c.topic, c.name, String(c.createdAt), escape(c.url), optional(c.secret.map(escape)), String(c.batchSize),
            String(c.maxAttempts), String(c.timeoutMilliseconds), headerList(c.headers),
            optional(c.filter.map(headerList)), c.paused ? "1" : "0", c.disabled ? "1" : "0",
        ]
    }

    static func decodeConfig(_ f: ArraySlice<String>) -> SubscriptionConfig? {
        let f = Array(f)
        guard f.count == 12, let createdAt = Int64(f[2]), let url = unescape(f[3]), let batch = Int(f[5]),
            let attempts = Int(f[6]), let timeout = Int(f[7]), let headers = decodeHeaderList(f[8])
        else { return nil }
        var secret: String?
        if let raw = decodeOptional(f[4]) {
            guard let value = unescape(raw) else { return nil }
            secret = value
        }
        var filter: [SubscriptionHeader]?
        if let raw = decodeOptional(f[9]) {
            guard let value = decodeHeaderList(raw) else { return nil }
            filter = value
        }
        return SubscriptionConfig(
            topic: f[0], name: f[1], url: url, secret: secret, batchSize: batch, maxAttempts: attempts,
            timeoutMilliseconds: timeout, headers: headers, filter: filter, paused: f[10] == "1",
            disabled: f[11] == "1",
            createdAt: createdAt)
    }

    /// Two tab-separated fields: `delivered,failed,deadLettered,lastStatus?,lastDeliveryAt?` and `lastError?`.
    static func statsField(_ s: SubscriptionStats) -> String {
        let numbers = [
            String(s.delivered), String(s.failedAttempts), String(s.deadLettered),
            optional(s.lastStatus.map(String.init)), optional(s.lastDeliveryAt.map(String.init)),
        ]
        return numbers.joined(separator: ",") + "\t" + optional(s.lastError.map(escape))
    }

    static func decodeStats(_ text: String) -> SubscriptionStats? {
        let parts = text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { return nil }
        let numbers = parts[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard numbers.count == 5, let delivered = Int64(numbers[0]), let failed = Int64(numbers[1]),
            let dead = Int64(numbers[2])
        else { return nil }
        var stats = SubscriptionStats()
        stats.delivered = delivered
        stats.failedAttempts = failed
        stats.deadLettered = dead
        stats.lastStatus = decodeOptional(numbers[3]).flatMap { Int($0) }
        stats.lastDeliveryAt = decodeOptional(numbers[4]).flatMap { Int64($0) }
        stats.lastError = decodeOptional(parts[1]).flatMap(unescape)
        return stats
    }

    static func optional(_ value: String?) -> String { value.map { "=" + $0 } ?? "" }

    static func decodeOptional(_ field: String) -> String? {
        field.hasPrefix("=") ? String(field.dropFirst()) : nil
    }

    static func list(_ values: [Int64]) -> String { values.map(String.init).joined(separator: ",") }

    static func decodeList(_ text: String) -> [Int64]? {
        var values: [Int64] = []
        for item in text.split(separator: ",") {
            guard let value = Int64(item) else { return nil }
            values.append(value)
        }
        return values
    }

    static func headerList(_ headers: [SubscriptionHeader]) -> String {
        headers.map { escape($0.name) + "=" + escape($0.value) }.joined(separator: ";")
    }

    static func decodeHeaderList(_ text: String) -> [SubscriptionHeader]? {
        var headers: [SubscriptionHeader] = []
        for item in text.split(separator: ";") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, let name = unescape(String(pair[0])), let value = unescape(String(pair[1])) else {
                return nil
            }
            headers.append(SubscriptionHeader(name: name, value: value))
        }
        return headers
    }

    static func escape(_ text: String) -> String { JournalText.escape(text) }
    static func unescape(_ text: String) -> String? { JournalText.unescape(text) }
}
