import FerryKafkaWire
import Synchronization

extension ClassicGroupCoordinator {
    // MARK: SyncGroup

    /// The leader sends every member's assignment; followers wait for it. `completion` gets the member's
    /// assignment, or the error.
    func sync(
        group name: String, generation: Int32, memberID: String, assignments: [String: [UInt8]],
        completion: @escaping @Sendable (KafkaErrorCode, [UInt8]) -> Void
    ) {
        withGroup(name) { group, callbacks in
            guard group.members[memberID] != nil else {
                callbacks.append { completion(.unknownMemberID, []) }
                return
            }
            guard generation == group.generation else {
                callbacks.append { completion(.illegalGeneration, []) }
                return
            }
            group.members[memberID]?.lastSeen = now
            switch group.phase {
            case .empty, .preparingRebalance:
                callbacks.append { completion(.rebalanceInProgress, []) }
            case .stable:
                let assignment = group.members[memberID]?.assignment ?? []
                callbacks.append { completion(.none, assignment) }
            case .completingRebalance:
                group.members[memberID]?.pendingSync = completion
                guard memberID == group.leader else { return }
                for id in group.order { group.members[id]?.assignment = assignments[id] ?? [] }
                group.phase = .stable
                for id in group.order {
                    guard let member = group.members[id], let sync = member.pendingSync else { continue }
                    group.members[id]?.pendingSync = nil
                    let assignment = member.assignment
                    callbacks.append { sync(.none, assignment) }
                }
            }
        }
    }

    // MARK: Heartbeat, LeaveGroup, expiry

    /// A member's heartbeat: `rebalanceInProgress` tells it to rejoin.
    func heartbeat(group name: String, generation: Int32, memberID: String) -> KafkaErrorCode {
        withGroup(name) { group, _ in
            guard group.members[memberID] != nil else { return .unknownMemberID }
            guard generation == group.generation else { return .illegalGeneration }
            group.members[memberID]?.lastSeen = now
            switch group.phase {
            case .preparingRebalance: return .rebalanceInProgress
            case .empty: return .unknownMemberID
            case .completingRebalance, .stable: return .none
            }
        }
    }

    /// Members leaving (LeaveGroup): the rest rebalance. Returns an error per member id.
    func leave(group name: String, memberIDs: [String]) -> [KafkaErrorCode] {
        withGroup(name) { group, callbacks in
            var errors: [KafkaErrorCode] = []
            var left = false
            for id in memberIDs {
                guard let member = group.members[id] else {
                    errors.append(.unknownMemberID)
                    continue
                }
                if let join = member.pendingJoin { callbacks.append { join(.failed(.unknownMemberID, memberID: id)) } }
                if let sync = member.pendingSync { callbacks.append { sync(.unknownMemberID, []) } }
                remove(id, from: &group)
                errors.append(.none)
                left = true
            }
            if left { membershipShrank(&group, &callbacks) }
            return errors
        }
    }

    /// Drops members whose session expired (no heartbeat within their session timeout); the rest rebalance.
    /// Called periodically.
    func expireMembers() {
        let names = groups.withLock { Array($0.keys) }
        let time = now
        for name in names {
            withGroup(name) { group, callbacks in
                var expired = false
                for id in group.order {
                    guard let member = group.members[id], member.pendingJoin == nil else { continue }
                    if time &- member.lastSeen > UInt64(member.sessionTimeoutMs) * 1_000_000 {
                        if let sync = member.pendingSync { callbacks.append { sync(.unknownMemberID, []) } }
                        remove(id, from: &group)
                        expired = true
                    }
                }
                if expired { membershipShrank(&group, &callbacks) }
            }
        }
    }

    private func membershipShrank(_ group: inout ClassicGroup, _ callbacks: inout [@Sendable () -> Void]) {
        if group.members.isEmpty {
            group.phase = .empty
            group.leader = nil
            group.rebalanceEpoch += 1
        } else {
            startRebalanceIfNeeded(&group, &callbacks)
            tryCompleteJoin(&group, &callbacks)
        }
    }

    // MARK: Offsets and views

    /// Whether a commit by `memberID` in `generation` may go ahead: -1 / "" is a commit outside any generation
    /// (a consumer that assigned partitions itself), allowed while the group has no Kafka members.
    func validateCommit(group name: String, generation: Int32, memberID: String) -> KafkaErrorCode {
        groups.withLock { all in
            guard let group = all[name], !group.members.isEmpty else {
                return generation < 0 ? .none : .unknownMemberID
            }
            if generation < 0 && memberID.isEmpty { return .rebalanceInProgress }
            guard group.members[memberID] != nil else { return .unknownMemberID }
            guard generation == group.generation else { return .illegalGeneration }
            // As in Kafka: a member of the current generation may commit while the group prepares a
            // rebalance (it commits what it consumed before giving its partitions up), not while the new
            // generation waits for its assignment.
            return group.phase == .completingRebalance ? .rebalanceInProgress : .none
        }
    }

    /// Marks a member alive (a commit or fetch counts as a sign of life, as in Kafka).
    func touch(group name: String, memberID: String) {
        groups.withLock { all in all[name]?.members[memberID]?.lastSeen = now }
    }

    /// What DescribeGroups shows.
    struct Description: Sendable {
        var phase: String
        var protocolType: String
        var protocolName: String
        var members:
            [(
                id: String, groupInstanceID: String?, clientID: String, clientHost: String, metadata: [UInt8],
                assignment: [UInt8]
            )]
    }

    func describe(group name: String) -> Description? {
        groups.withLock { all in
            guard let group = all[name] else { return nil }
            let protocolName = group.protocolName ?? ""
            let members = group.order.compactMap { id -> (String, String?, String, String, [UInt8], [UInt8])? in
                guard let m = group.members[id] else { return nil }
                let metadata = m.protocols.first { $0.name == protocolName }?.metadata ?? []
                return (id, m.groupInstanceID, m.clientID, m.clientHost, metadata, m.assignment)
            }
            return Description(
                phase: group.phase.rawValue, protocolType: group.protocolType, protocolName: protocolName,
                members: members.map {
                    (
                        id: $0.0, groupInstanceID: $0.1, clientID: $0.2, clientHost: $0.3, metadata: $0.4,
                        assignment: $0.5
                    )
                })
        }
    }

    /// Groups with Kafka members: name and protocol type.
    func activeGroups() -> [(name: String, protocolType: String)] {
        groups.withLock { all in all.values.filter { !$0.members.isEmpty }.map { ($0.name, $0.protocolType) } }
    }
}
