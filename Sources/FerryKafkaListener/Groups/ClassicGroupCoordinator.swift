import FerryBroker
import FerryKafkaWire
import FerrySystem
import Synchronization

/// Kafka's classic consumer-group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) for clients of the
/// Kafka-protocol listener: generations, a leader that computes the assignment client-side, session expiry.
///
/// Membership lives here, in memory (clients rejoin after a restart, as after a coordinator move in Kafka);
/// offsets are committed to the broker's GroupCoordinator, so they are durable and shared with the HTTP API.
/// Thread-safe; callbacks run outside the lock, on the calling thread or a timer's, and must not block.
final class ClassicGroupCoordinator: Sendable {
    let timers: any TimerSource
    let groups = Mutex<[String: ClassicGroup]>([:])
    private let memberCounter = Atomic<Int>(0)
    /// A new group waits this long for more members before its first generation (Kafka's
    /// `group.initial.rebalance.delay.ms`, shorter: one process, no network between members).
    let initialRebalanceDelayMs: Int

    /// Told the members of a group whenever its membership or phase changed (outside the lock), so the broker's
    /// coordinator can show them.
    let membersChanged: @Sendable (_ group: String, _ members: [GroupDescription.Member]) -> Void

    init(
        timers: any TimerSource = .system, initialRebalanceDelayMs: Int = 300,
        membersChanged: @escaping @Sendable (String, [GroupDescription.Member]) -> Void = { _, _ in }
    ) {
        self.timers = timers
        self.initialRebalanceDelayMs = initialRebalanceDelayMs
        self.membersChanged = membersChanged
    }

    var now: UInt64 { timers.nanoseconds() }

    /// Runs `body` on the group under the lock, then the callbacks it collected, outside the lock.
    func withGroup<R>(
        _ name: String, _ body: (inout ClassicGroup, inout [@Sendable () -> Void]) -> R
    ) -> R {
        var callbacks: [@Sendable () -> Void] = []
        let result = groups.withLock { all in
            var group = all[name] ?? ClassicGroup(name: name)
            let before = (group.generation, group.phase, group.members.count)
            let result = body(&group, &callbacks)
            if before != (group.generation, group.phase, group.members.count) {
                let members = Self.describedMembers(group)
                let report = membersChanged
                callbacks.append { report(name, members) }
            }
            if group.members.isEmpty && group.phase == .empty && group.generation == 0 {
                all[name] = nil
            } else {
                all[name] = group
            }
            return result
        }
        for callback in callbacks { callback() }
        return result
    }

    // MARK: JoinGroup

    struct JoinRequest: Sendable {
        var group: String
        var memberID: String
        var groupInstanceID: String?
        var sessionTimeoutMs: Int
        var rebalanceTimeoutMs: Int
        var protocolType: String
        var protocols: [(name: String, metadata: [UInt8])]
        var clientID: String
        var clientHost: String
    }

    func join(_ request: JoinRequest, completion: @escaping @Sendable (ClassicJoinResult) -> Void) {
        guard (1_000...3_600_000).contains(request.sessionTimeoutMs) else {
            return completion(.failed(.invalidSessionTimeout, memberID: request.memberID))
        }
        guard !request.protocols.isEmpty else {
            return completion(.failed(.inconsistentGroupProtocol, memberID: request.memberID))
        }
        let scheduleInitial: Int? = withGroup(request.group) { group, callbacks in
            // A member that cannot agree with the others is refused at once, as Kafka does: letting it in
            // would fail the next generation for every member.
            let offered = Set(request.protocols.map(\.name))
            let others = group.members.values.filter { $0.id != request.memberID }
            let shared = others.allSatisfy { member in member.protocols.contains { offered.contains($0.name) } }
            if !others.isEmpty, group.protocolType != request.protocolType || !shared {
                callbacks.append { completion(.failed(.inconsistentGroupProtocol, memberID: request.memberID)) }
                return nil
            }
            let id =
                request.memberID.isEmpty
                ? "\(request.clientID.isEmpty ? "member" : request.clientID)-\(newMemberSuffix())" : request.memberID
            if !request.memberID.isEmpty, group.members[id] == nil {
                callbacks.append { completion(.failed(.unknownMemberID, memberID: request.memberID)) }
                return nil
            }
            let previous = group.members[id]
            if let waiting = previous?.pendingJoin {
                // A repeated join replaces the one waiting; the old request still gets an answer.
                callbacks.append { waiting(.failed(.rebalanceInProgress, memberID: id)) }
            }
            let unchanged =
                previous.map { old in
                    old.protocols.map(\.name) == request.protocols.map(\.name)
                        && zip(old.protocols, request.protocols).allSatisfy { $0.metadata == $1.metadata }
                } ?? false
            var member = ClassicGroupMember(
                id: id, groupInstanceID: request.groupInstanceID, clientID: request.clientID,
                clientHost: request.clientHost, sessionTimeoutMs: request.sessionTimeoutMs,
                rebalanceTimeoutMs: request.rebalanceTimeoutMs, protocols: request.protocols,
                assignment: previous?.assignment ?? [], lastSeen: now, pendingJoin: nil, pendingSync: nil)
            if previous == nil { group.order.append(id) }
            group.protocolType = request.protocolType
            // A known member rejoining a stable group with the same metadata keeps its generation (Kafka does
            // the same): answer at once.
            if group.phase == .stable, unchanged, previous != nil {
                group.members[id] = member
                let result = joinResult(group, for: id)
                callbacks.append { completion(result) }
                return nil
            }
            member.pendingJoin = completion
            group.members[id] = member
            switch group.phase {
            case .empty:
                group.phase = .preparingRebalance
                group.rebalanceEpoch += 1
                return group.rebalanceEpoch
            case .stable, .completingRebalance:
                startRebalanceIfNeeded(&group, &callbacks)
                tryCompleteJoin(&group, &callbacks)
                return nil
            case .preparingRebalance:
                tryCompleteJoin(&group, &callbacks)
                return nil
            }
        }
        if let epoch = scheduleInitial {
            let name = request.group
            timers.schedule(after: .milliseconds(initialRebalanceDelayMs)) { [self] in
                withGroup(name) { group, callbacks in
                    guard group.rebalanceEpoch == epoch, group.phase == .preparingRebalance else { return }
                    armRebalanceDeadline(&group)
                    tryCompleteJoin(&group, &callbacks)
                }
            }
        }
    }

    private func newMemberSuffix() -> String {
        let n = memberCounter.add(1, ordering: .relaxed).newValue
        return "\(String(MonotonicClock.nanoseconds(), radix: 36))-\(n)"
    }

    /// Moves the group to PreparingRebalance: members learn it from their next heartbeat and rejoin; pending
    /// syncs are told to rejoin.
    func startRebalanceIfNeeded(_ group: inout ClassicGroup, _ callbacks: inout [@Sendable () -> Void]) {
        if group.phase != .preparingRebalance {
            group.phase = .preparingRebalance
            group.rebalanceEpoch += 1
            for id in group.order {
                if let sync = group.members[id]?.pendingSync {
                    group.members[id]?.pendingSync = nil
                    callbacks.append { sync(.rebalanceInProgress, []) }
                }
            }
            armRebalanceDeadline(&group)
        }
    }

    /// After the longest rebalance timeout, members that did not rejoin are dropped and the generation forms.
    private func armRebalanceDeadline(_ group: inout ClassicGroup) {
        let epoch = group.rebalanceEpoch
        let timeout = group.members.values.map(\.rebalanceTimeoutMs).max() ?? 0
        let name = group.name
        timers.schedule(after: .milliseconds(max(timeout, 1))) { [self] in
            withGroup(name) { group, callbacks in
                guard group.rebalanceEpoch == epoch, group.phase == .preparingRebalance else { return }
                for id in group.order where group.members[id]?.pendingJoin == nil { remove(id, from: &group) }
                tryCompleteJoin(&group, &callbacks, force: true)
            }
        }
    }

    /// Forms the next generation once every member has rejoined (or `force`, at the deadline).
    func tryCompleteJoin(
        _ group: inout ClassicGroup, _ callbacks: inout [@Sendable () -> Void], force: Bool = false
    ) {
        guard group.phase == .preparingRebalance else { return }
        let waiting = group.members.values.filter { $0.pendingJoin != nil }.count
        guard waiting == group.members.count || force else { return }
        guard !group.members.isEmpty else {
            group.phase = .empty
            group.leader = nil
            return
        }
        group.generation += 1
        if group.leader.map({ group.members[$0] == nil }) ?? true { group.leader = group.order.first }
        group.protocolName = group.commonProtocol()
        guard group.protocolName != nil else {
            for id in group.order {
                if let join = group.members[id]?.pendingJoin {
                    callbacks.append { join(.failed(.inconsistentGroupProtocol, memberID: id)) }
                }
            }
            group.members = [:]
            group.order = []
            group.phase = .empty
            return
        }
        group.phase = .completingRebalance
        for id in group.order {
            guard let join = group.members[id]?.pendingJoin else { continue }
            group.members[id]?.pendingJoin = nil
            group.members[id]?.assignment = []
            group.members[id]?.lastSeen = now
            let result = joinResult(group, for: id)
            callbacks.append { join(result) }
        }
    }

    private func joinResult(_ group: ClassicGroup, for id: String) -> ClassicJoinResult {
        let leader = group.leader ?? ""
        let protocolName = group.protocolName ?? ""
        let members: [(id: String, groupInstanceID: String?, metadata: [UInt8])] =
            id == leader
            ? group.order.compactMap { memberID in
                guard let member = group.members[memberID] else { return nil }
                let metadata = member.protocols.first { $0.name == protocolName }?.metadata ?? []
                return (memberID, member.groupInstanceID, metadata)
            } : []
        return ClassicJoinResult(
            error: .none, generation: group.generation, protocolType: group.protocolType,
            protocolName: protocolName, leader: leader, memberID: id, members: members)
    }

    /// The members as the broker's group view shows them: subscribed topics and assigned partitions, read from
    /// the consumer protocol's payloads.
    static func describedMembers(_ group: ClassicGroup) -> [GroupDescription.Member] {
        group.order.compactMap { id in
            guard let member = group.members[id] else { return nil }
            let consumer = group.protocolType == "consumer"
            let subscription = member.protocols.first { $0.name == group.protocolName } ?? member.protocols.first
            let topics = consumer ? ConsumerProtocol.topics(subscription: subscription?.metadata ?? []) : []
            let assigned =
                consumer
                ? ConsumerProtocol.partitions(assignment: member.assignment).flatMap { entry in
                    entry.partitions.map { TopicPartition(topic: entry.topic, partition: Int($0)) }
                } : []
            return GroupDescription.Member(memberID: id, topics: topics, assignments: assigned)
        }
    }

    func remove(_ id: String, from group: inout ClassicGroup) {
        group.members[id] = nil
        group.order.removeAll { $0 == id }
        if group.leader == id { group.leader = nil }
    }
}
