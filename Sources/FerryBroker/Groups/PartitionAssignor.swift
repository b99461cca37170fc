/// Spreads partitions evenly over the live members of a group, keeping current owners where that stays even.
///
/// Pure function of its inputs (no clock, no randomness), so every rebalance is reproducible in tests.
/// Topic by topic, the partitions go to the members subscribed to that topic: each gets ⌊P/n⌋ or ⌈P/n⌉, the
/// larger shares going first to members that already own that many (fewer moves), then to the members with the
/// least load so far across topics (so extras don't pile up on one member), then by join order. Within its
/// share a member keeps the partitions it owns; the rest fill the members still under their share.
public enum PartitionAssignor {
    /// One member as the assignor sees it.
    public struct Member: Sendable {
        public var id: String
        public var topics: Set<String>
        public var current: Set<TopicPartition>

        public init(id: String, topics: Set<String>, current: Set<TopicPartition>) {
            self.id = id
            self.topics = topics
            self.current = current
        }
    }

    /// - Parameters:
    ///   - members: live members in join order.
    ///   - partitionCounts: partition count of every topic any member subscribes to (missing topic: absent).
    /// - Returns: member id → its sorted assignment (every member has an entry, possibly empty).
    public static func assign(members: [Member], partitionCounts: [String: Int]) -> [String: [TopicPartition]] {
        var result: [String: [TopicPartition]] = [:]
        for member in members { result[member.id] = [] }
        for topic in partitionCounts.keys.sorted() {
            let count = partitionCounts[topic] ?? 0
            let eligible = members.indices.filter { members[$0].topics.contains(topic) }
            guard count > 0, !eligible.isEmpty else { continue }
            let partitions = (0..<count).map { TopicPartition(topic: topic, partition: $0) }
            let floor = count / eligible.count
            let extra = count % eligible.count

            func owned(_ index: Int) -> Int { partitions.filter { members[index].current.contains($0) }.count }
            let ranked = eligible.sorted { a, b in
                let aSticky = owned(a) > floor
                let bSticky = owned(b) > floor
                if aSticky != bSticky { return aSticky }
                let aLoad = result[members[a].id, default: []].count
                let bLoad = result[members[b].id, default: []].count
                if aLoad != bLoad { return aLoad < bLoad }
                return a < b
            }
            var target: [Int: Int] = [:]
            for (rank, index) in ranked.enumerated() { target[index] = floor + (rank < extra ? 1 : 0) }

            var taken: [Int: Int] = [:]
            var unassigned: [TopicPartition] = []
            for tp in partitions {
                if let owner = eligible.first(where: { members[$0].current.contains(tp) }),
                    taken[owner, default: 0] < target[owner, default: 0]
                {
                    taken[owner, default: 0] += 1
                    result[members[owner].id, default: []].append(tp)
                } else {
                    unassigned.append(tp)
                }
            }
            var next = unassigned.makeIterator()
            for index in eligible {
                while taken[index, default: 0] < target[index, default: 0], let tp = next.next() {
                    taken[index, default: 0] += 1
                    result[members[index].id, default: []].append(tp)
                }
            }
        }
        return result.mapValues { $0.sorted() }
    }
}
