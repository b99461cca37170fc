/// ``GroupJournal`` over partition 0 of the internal topic `__ferry_groups`.
///
/// Each entry is one record whose value is a tab-separated line (names cannot contain tabs):
/// `c<TAB>group<TAB>topic<TAB>partition<TAB>offset` (commit), `x<TAB>group<TAB>topic<TAB>partition` (cleared),
/// `t<TAB>group<TAB>topic,topic…` (subscribed topics), `d<TAB>group` (deleted). The entries of one `append`
/// are one atomic batch. Replaying the partition from its start rebuilds the state.
final class GroupStateLog: GroupJournal, Sendable {
    let journal: InternalLineJournal

    init(partition: any PartitionStorage, now: @escaping @Sendable () -> Int64) {
        journal = InternalLineJournal(partition: partition, now: now)
    }

    func append(_ entries: [GroupJournalEntry], onDurable: @escaping @Sendable (Result<Void, BrokerError>) -> Void) {
        journal.append(entries.map(Self.encode), onDurable: onDurable)
    }

    /// Every entry from the partition's start.
    func replay() throws(BrokerError) -> [GroupJournalEntry] {
        var entries: [GroupJournalEntry] = []
        try journal.replay { line in if let entry = Self.decode(line) { entries.append(entry) } }
        return entries
    }

    static func encode(_ entry: GroupJournalEntry) -> String {
        switch entry {
        case .committed(let group, let tp, let offset): return "c\t\(group)\t\(tp.topic)\t\(tp.partition)\t\(offset)"
        case .cleared(let group, let tp): return "x\t\(group)\t\(tp.topic)\t\(tp.partition)"
        case .topics(let group, let topics): return "t\t\(group)\t\(topics.joined(separator: ","))"
        case .deleted(let group): return "d\t\(group)"
        }
    }

    static func decode(_ line: String) -> GroupJournalEntry? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        switch (fields.first, fields.count) {
        case ("c", 5):
            guard let p = Int(fields[3]), let offset = Int64(fields[4]) else { return nil }
            return .committed(
                group: fields[1], partition: TopicPartition(topic: fields[2], partition: p), offset: offset)
        case ("x", 4):
            guard let p = Int(fields[3]) else { return nil }
            return .cleared(group: fields[1], partition: TopicPartition(topic: fields[2], partition: p))
        case ("t", 3):
            return .topics(group: fields[1], topics: fields[2].split(separator: ",").map(String.init))
        case ("d", 2):
            return .deleted(group: fields[1])
        default:
            return nil
        }
    }
}
