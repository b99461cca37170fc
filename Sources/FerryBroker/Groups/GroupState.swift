/// What a member asked for when it joined.
public struct GroupMemberOptions: Sendable, Equatable {
    public var topics: [String]
    public var sessionTimeoutMilliseconds: Int64
    public var autoOffsetReset: OffsetReset
    public var autoCommit: Bool

    public init(
        topics: [String], sessionTimeoutMilliseconds: Int64 = 30_000, autoOffsetReset: OffsetReset = .latest,
        autoCommit: Bool = false
    ) {
        self.topics = topics
        self.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
        self.autoOffsetReset = autoOffsetReset
        self.autoCommit = autoCommit
    }
}

/// A live member's state, owned by its group (mutated only under the coordinator's lock).
struct GroupMember {
    let id: String
    var options: GroupMemberOptions
    var assignments: [TopicPartition] = []
    /// The next offset to deliver to this member, per owned partition.
    var positions: [TopicPartition: Int64] = [:]
    /// Whether a fetch returned messages since the last auto-commit.
    var hasUncommittedFetch = false
    var lastSeen: Int64
    /// Fetches currently held (long-polling); a member with one is alive whatever its last heartbeat.
    var heldFetches = 0
}

/// A consumer group: live members in join order, committed offsets and first-assignment positions.
struct ConsumerGroup {
    let name: String
    var members: [GroupMember] = []
    var committed: [TopicPartition: Int64] = [:]
    /// Where a partition without a committed offset started when it was first assigned in the group.
    var initialPositions: [TopicPartition: Int64] = [:]
    /// The topics the group subscribes to: its members' topics, or the last known set when it has none.
    var topics: [String] = []
    var generation = 0
    /// Callbacks of held fetches, fired (and dropped) at the next rebalance.
    var rebalanceWaiters: [Int: @Sendable () -> Void] = [:]

    func memberIndex(_ id: String) -> Int? { members.firstIndex { $0.id == id } }
}

/// A member's view of its group after joining.
public struct GroupJoinResult: Sendable, Equatable {
    public var memberID: String
    public var group: String
    public var assignments: [TopicPartition]
}

/// What a member fetch reads: each owned partition and the offset to read it from.
public struct GroupFetchPlan: Sendable, Equatable {
    public var group: String
    public var memberID: String
    public var generation: Int
    public var positions: [(partition: TopicPartition, offset: Int64)]
    public var assignments: [TopicPartition]

    public static func == (lhs: GroupFetchPlan, rhs: GroupFetchPlan) -> Bool {
        lhs.group == rhs.group && lhs.memberID == rhs.memberID && lhs.generation == rhs.generation
            && lhs.assignments == rhs.assignments
            && lhs.positions.map(\.partition) == rhs.positions.map(\.partition)
            && lhs.positions.map(\.offset) == rhs.positions.map(\.offset)
    }
}

/// `GET /v1/groups/{group}`.
public struct GroupDescription: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var memberID: String
        public var topics: [String]
        public var assignments: [TopicPartition]

        public init(memberID: String, topics: [String], assignments: [TopicPartition]) {
            self.memberID = memberID
            self.topics = topics
            self.assignments = assignments
        }
    }
    public struct PartitionOffset: Sendable, Equatable {
        public var partition: TopicPartition
        public var committedOffset: Int64?
        public var endOffset: Int64
        public var lag: Int64
    }
    public var group: String
    public var members: [Member]
    public var offsets: [PartitionOffset]
}

/// One row of `GET /v1/groups`.
public struct GroupSummary: Sendable, Equatable {
    public var group: String
    public var memberCount: Int
    public var topics: [String]
}

/// Where `POST /v1/groups/{group}/offsets` moves committed offsets.
public enum OffsetResetTarget: Sendable, Equatable {
    case earliest
    case latest
    case offset(Int64)
    /// The first offset at or after this time, per partition (the end when none). Resolved by the storage,
    /// which may take a network round trip: ``Broker/resetGroupOffsets(group:topic:partition:to:onDurable:)``
    /// turns it into ``partitionOffsets(_:)`` before the coordinator sees it.
    case timestamp(Int64)
    /// Offsets already chosen per partition index (the resolved form of ``timestamp(_:)``).
    case partitionOffsets([Int: Int64])
}
