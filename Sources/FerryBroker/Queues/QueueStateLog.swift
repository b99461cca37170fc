/// ``QueueJournal`` over partition 0 of the internal topic `__ferry_queues`.
///
/// Each entry is one record whose value is a tab-separated line (names cannot contain tabs):
/// `q<TAB>topic<TAB>queue<TAB>maxDeliveries<TAB>deadLetterTopic<TAB>createdAt<TAB>start,start…` (created),
/// `x<TAB>topic<TAB>queue` (deleted), and `l|a|d<TAB>topic<TAB>queue<TAB>partition<TAB>runs` (delivered, acked,
/// dead-lettered) where runs are `first-last` or `offset`, comma-separated, and
/// `n<TAB>topic<TAB>queue<TAB>acked<TAB>deadLettered` (counters). The entries of one `append` are one atomic
/// batch. Replaying the partition from its start rebuilds every queue; a long history is replaced by a snapshot
/// of the live state (``InternalLineJournal/compact(appendSnapshot:)``).
final class QueueStateLog: QueueJournal, Sendable {
    let journal: InternalLineJournal

    init(partition: any PartitionStorage, now: @escaping @Sendable () -> Int64) {
        journal = InternalLineJournal(partition: partition, now: now)
    }

    func append(_ entries: [QueueJournalEntry], onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void) {
        journal.append(entries.map(Self.encode), onDurable: onDurable)
    }

    /// Visits every entry from the partition's start, in order.
    func replay(_ visit: (QueueJournalEntry) -> Void) throws(BrokerError) {
        try journal.replay { line in if let entry = Self.decode(line) { visit(entry) } }
    }

    static func encode(_ entry: QueueJournalEntry) -> String {
        switch entry {
        case .created(let topic, let queue, let maxDeliveries, let deadLetterTopic, let createdAt, let starts):
            let list = starts.map(String.init).joined(separator: ",")
            return "q\t\(topic)\t\(queue)\t\(maxDeliveries)\t\(deadLetterTopic)\t\(createdAt)\t\(list)"
        case .deleted(let topic, let queue): return "x\t\(topic)\t\(queue)"
        case .delivered(let topic, let queue, let partition, let offsets):
            return "l\t\(topic)\t\(queue)\t\(partition)\t\(encodeRuns(offsets))"
        case .acked(let topic, let queue, let partition, let offsets):
            return "a\t\(topic)\t\(queue)\t\(partition)\t\(encodeRuns(offsets))"
        case .deadLettered(let topic, let queue, let partition, let offsets):
            return "d\t\(topic)\t\(queue)\t\(partition)\t\(encodeRuns(offsets))"
        case .counted(let topic, let queue, let acked, let deadLettered):
            return "n\t\(topic)\t\(queue)\t\(acked)\t\(deadLettered)"
        }
    }

    static func decode(_ line: String) -> QueueJournalEntry? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        switch (fields.first, fields.count) {
        case ("q", 7):
            guard let maxDeliveries = Int(fields[3]), let createdAt = Int64(fields[5]) else { return nil }
            var starts: [Int64] = []
            for item in fields[6].split(separator: ",") {
                guard let start = Int64(item) else { return nil }
                starts.append(start)
            }
            return .created(
                topic: fields[1], queue: fields[2], maxDeliveries: maxDeliveries, deadLetterTopic: fields[4],
                createdAt: createdAt, startOffsets: starts)
        case ("x", 3):
            return .deleted(topic: fields[1], queue: fields[2])
        case ("n", 5):
            guard let acked = Int64(fields[3]), let deadLettered = Int64(fields[4]) else { return nil }
            return .counted(topic: fields[1], queue: fields[2], acked: acked, deadLettered: deadLettered)
        case (let kind?, 5) where kind == "l" || kind == "a" || kind == "d":
            guard let partition = Int(fields[3]), let offsets = decodeRuns(fields[4]) else { return nil }
            switch kind {
            case "l": return .delivered(topic: fields[1], queue: fields[2], partition: partition, offsets: offsets)
            case "a": return .acked(topic: fields[1], queue: fields[2], partition: partition, offsets: offsets)
            default: return .deadLettered(topic: fields[1], queue: fields[2], partition: partition, offsets: offsets)
            }
        default:
            return nil
        }
    }

    /// `[1,2,3,7,9,10]` → `1-3,7,9-10` (the input sorted ascending).
    static func encodeRuns(_ offsets: [Int64]) -> String {
        var parts: [String] = []
        var index = 0
        while index < offsets.count {
            let first = offsets[index]
            var last = first
            while index + 1 < offsets.count && offsets[index + 1] == last + 1 {
                index += 1
                last = offsets[index]
            }
            parts.append(first == last ? "\(first)" : "\(first)-\(last)")
            index += 1
        }
        return parts.joined(separator: ",")
    }

    static func decodeRuns(_ text: String) -> [Int64]? {
        var offsets: [Int64] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", maxSplits: 1)
            guard let first = Int64(bounds[0]) else { return nil }
            let last = bounds.count == 2 ? Int64(bounds[1]) : first
            guard let last, last >= first, last - first < 100_000_000 else { return nil }
            offsets.append(contentsOf: first...last)
        }
        return offsets
    }
}
