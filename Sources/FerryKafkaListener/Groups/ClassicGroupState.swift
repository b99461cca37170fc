import FerryKafkaWire

/// A member of a Kafka-protocol consumer group, as its JoinGroup described it.
struct ClassicGroupMember {
    let id: String
    var groupInstanceID: String?
    var clientID: String
    var clientHost: String
    var sessionTimeoutMs: Int
    var rebalanceTimeoutMs: Int
    var protocols: [(name: String, metadata: [UInt8])]
    /// The assignment the leader gave it in the current generation.
    var assignment: [UInt8] = []
    /// Monotonic ns of its last sign of life (join, sync, heartbeat, commit).
    var lastSeen: UInt64
    /// Its JoinGroup waiting for the rebalance to complete.
    var pendingJoin: (@Sendable (ClassicJoinResult) -> Void)?
    /// Its SyncGroup waiting for the leader's assignments.
    var pendingSync: (@Sendable (KafkaErrorCode, [UInt8]) -> Void)?
}

/// Where a Kafka-protocol group is in Kafka's group state machine.
enum ClassicGroupPhase: String {
    case empty = "Empty"
    case preparingRebalance = "PreparingRebalance"
    case completingRebalance = "CompletingRebalance"
    case stable = "Stable"
}

/// One Kafka-protocol consumer group's membership (its offsets live in the broker's GroupCoordinator).
struct ClassicGroup {
    let name: String
    var phase: ClassicGroupPhase = .empty
    var generation: Int32 = 0
    var protocolType: String = ""
    var protocolName: String?
    var leader: String?
    var members: [String: ClassicGroupMember] = [:]
    /// Join order, for choosing a leader and answering in a stable order.
    var order: [String] = []
    /// Bumped at every rebalance start so a stale deadline does nothing.
    var rebalanceEpoch = 0

    /// The protocol every member supports, preferring the leader's (or first member's) order.
    func commonProtocol() -> String? {
        guard let first = (leader.flatMap { members[$0] } ?? order.first.flatMap { members[$0] }) else { return nil }
        for candidate in first.protocols.map(\.name)
        where members.values.allSatisfy({ member in member.protocols.contains { $0.name == candidate } }) {
            return candidate
        }
        return nil
    }
}

/// What a JoinGroup gets back.
struct ClassicJoinResult: Sendable {
    var error: KafkaErrorCode
    var generation: Int32
    var protocolType: String?
    var protocolName: String?
    var leader: String
    var memberID: String
    /// Only the leader gets the members and their metadata.
    var members: [(id: String, groupInstanceID: String?, metadata: [UInt8])]

    static func failed(_ error: KafkaErrorCode, memberID: String = "") -> ClassicJoinResult {
        ClassicJoinResult(
            error: error, generation: -1, protocolType: nil, protocolName: nil, leader: "", memberID: memberID,
            members: [])
    }
}
