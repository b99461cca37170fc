/// One heartbeat of a node in `__ferry_cluster`: who it is, where it answers, what it owns, when it said so.
/// A text line of tab-separated fields (free text escaped as in the journals); unknown or damaged lines are
/// skipped, never trusted.
struct ClusterNodeRecord: Sendable, Equatable {
    var nodeID: String
    var url: String
    /// Wall-clock milliseconds when it was written.
    var time: Int64
    var shards: [Int]
    var groups: Int
    var queues: Int
    var subscriptions: Int
    /// The node is shutting down: its shards are being given up.
    var leaving: Bool

    func encoded() -> String {
        [
            "node", JournalText.escape(nodeID), JournalText.escape(url), String(time),
            shards.map(String.init).joined(separator: ","), String(groups), String(queues), String(subscriptions),
            leaving ? "1" : "0",
        ].joined(separator: "\t")
    }
}

extension ClusterNodeRecord {
    /// The record a line encodes, or nil for a line that is not one.
    init?(decoding line: String) {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 9, fields[0] == "node", let nodeID = JournalText.unescape(fields[1]), !nodeID.isEmpty,
            let url = JournalText.unescape(fields[2]), let time = Int64(fields[3]),
            let groups = Int(fields[5]), let queues = Int(fields[6]), let subscriptions = Int(fields[7])
        else { return nil }
        var shards: [Int] = []
        for field in fields[4].split(separator: ",") {
            guard let shard = Int(field), shard >= 0 else { return nil }
            shards.append(shard)
        }
        self.init(
            nodeID: nodeID, url: url, time: time, shards: shards, groups: groups, queues: queues,
            subscriptions: subscriptions, leaving: fields[8] == "1")
    }
}
