import FerryKafkaWire
import FerryTesting
import Synchronization
import Testing

@testable import FerryKafkaListener

/// Kafka's classic group protocol state machine, driven directly on a manual timer source: time moves only when
/// a test advances it, so nothing sleeps and every callback runs on the test's thread.
@Suite("Classic group coordinator")
struct ClassicGroupCoordinatorTests {
    /// Collects what callbacks deliver.
    final class Inbox<Value: Sendable>: Sendable {
        private let values = Mutex<[Value]>([])
        func put(_ value: Value) { values.withLock { $0.append(value) } }
        var all: [Value] { values.withLock { $0 } }
        var last: Value? { values.withLock { $0.last } }
        var count: Int { values.withLock { $0.count } }
    }

    typealias SyncAnswer = (error: KafkaErrorCode, assignment: [UInt8])

    let timers = ManualTimerSource()
    let coordinator: ClassicGroupCoordinator

    init() {
        coordinator = ClassicGroupCoordinator(timers: timers, initialRebalanceDelayMs: 300)
    }

    func request(
        _ group: String = "g", memberID: String = "", client: String = "c", session: Int = 10_000,
        rebalance: Int = 5_000, protocols: [(String, [UInt8])] = [("range", [1])], type: String = "consumer"
    ) -> ClassicGroupCoordinator.JoinRequest {
        ClassicGroupCoordinator.JoinRequest(
            group: group, memberID: memberID, groupInstanceID: nil, sessionTimeoutMs: session,
            rebalanceTimeoutMs: rebalance, protocolType: type,
            protocols: protocols.map { (name: $0.0, metadata: $0.1) },
            clientID: client, clientHost: "/127.0.0.1")
    }

    @discardableResult
    func join(_ request: ClassicGroupCoordinator.JoinRequest) -> Inbox<ClassicJoinResult> {
        let inbox = Inbox<ClassicJoinResult>()
        coordinator.join(request) { inbox.put($0) }
        return inbox
    }

    @discardableResult
    func sync(
        _ group: String = "g", generation: Int32, member: String, assignments: [String: [UInt8]] = [:]
    ) -> Inbox<SyncAnswer> {
        let inbox = Inbox<SyncAnswer>()
        coordinator.sync(group: group, generation: generation, memberID: member, assignments: assignments) {
            inbox.put(($0, $1))
        }
        return inbox
    }

    func phase(_ group: String = "g") -> String? { coordinator.describe(group: group)?.phase }

    /// One member through its first generation to Stable with `assignment`; returns its id.
    func stableSingleMember(session: Int = 10_000, rebalance: Int = 5_000, assignment: [UInt8] = [9]) throws -> String {
        let first = join(request(session: session, rebalance: rebalance))
        timers.advance(by: .milliseconds(300))
        let result = try #require(first.last)
        #expect(result.error == .none)
        let synced = sync(
            generation: result.generation, member: result.memberID, assignments: [result.memberID: assignment])
        #expect(synced.last?.error == KafkaErrorCode.none)
        #expect(phase() == "Stable")
        return result.memberID
    }

    /// Two members A (leader) and B, stable in generation 2; returns (A, B).
    func stableTwoMembers(rebalance: Int = 5_000, session: Int = 10_000) throws -> (String, String) {
        let a = try stableSingleMember(session: session, rebalance: rebalance)
        let bJoin = join(request(client: "b", session: session, rebalance: rebalance))
        let aJoin = join(request(memberID: a, session: session, rebalance: rebalance))
        let aResult = try #require(aJoin.last)
        let bResult = try #require(bJoin.last)
        #expect(aResult.generation == 2 && bResult.generation == 2)
        let bSync = sync(generation: 2, member: bResult.memberID)
        sync(generation: 2, member: a, assignments: [a: [1], bResult.memberID: [2]])
        #expect(bSync.last?.assignment == [2])
        #expect(phase() == "Stable")
        return (a, bResult.memberID)
    }

    // MARK: Joining and syncing

    @Test("one member: after the initial delay it leads generation 1 with its metadata; its sync makes it Stable")
    func singleMember_LeadsGenerationOne() throws {
        let inbox = join(request(client: "app", protocols: [("range", [1, 2, 3]), ("roundrobin", [4])]))
        #expect(inbox.count == 0, "waits for the initial rebalance delay")
        #expect(phase() == "PreparingRebalance")
        timers.advance(by: .milliseconds(299))
        #expect(inbox.count == 0)
        timers.advance(by: .milliseconds(1))
        let result = try #require(inbox.last)
        #expect(inbox.count == 1)
        #expect(result.error == .none)
        #expect(result.generation == 1)
        #expect(result.memberID.hasPrefix("app-"))
        #expect(result.leader == result.memberID)
        #expect(result.protocolName == "range")
        #expect(result.protocolType == "consumer")
        #expect(result.members.map { $0.id } == [result.memberID])
        #expect(result.members.first?.metadata == [1, 2, 3])
        #expect(phase() == "CompletingRebalance")

        let synced = sync(generation: 1, member: result.memberID, assignments: [result.memberID: [7, 7]])
        #expect(synced.count == 1)
        #expect(synced.last?.error == KafkaErrorCode.none)
        #expect(synced.last?.assignment == [7, 7])
        #expect(phase() == "Stable")
        #expect(coordinator.heartbeat(group: "g", generation: 1, memberID: result.memberID) == .none)
        // A sync in Stable returns the assignment again.
        #expect(sync(generation: 1, member: result.memberID).last?.assignment == [7, 7])
    }

    @Test("a second member triggers a rebalance: heartbeat says REBALANCE_IN_PROGRESS, both rejoin into generation 2")
    func secondMember_Rebalances() throws {
        let a = try stableSingleMember()
        let bJoin = join(request(client: "b", protocols: [("range", [0xB])]))
        #expect(bJoin.count == 0, "waits for the others to rejoin")
        #expect(phase() == "PreparingRebalance")
        #expect(coordinator.heartbeat(group: "g", generation: 1, memberID: a) == .rebalanceInProgress)

        let aJoin = join(request(memberID: a, protocols: [("range", [0xA])]))
        let aResult = try #require(aJoin.last)
        let bResult = try #require(bJoin.last)
        #expect(aResult.error == .none && bResult.error == .none)
        #expect(aResult.generation == 2 && bResult.generation == 2)
        #expect(aResult.leader == a && bResult.leader == a)
        #expect(aResult.members.map { $0.id } == [a, bResult.memberID])
        #expect(aResult.members.map { $0.metadata } == [[0xA], [0xB]])
        #expect(bResult.members.isEmpty, "only the leader gets the members")
        #expect(phase() == "CompletingRebalance")

        // The follower's sync waits for the leader's; the leader's distributes.
        let bSync = sync(generation: 2, member: bResult.memberID)
        #expect(bSync.count == 0)
        let aSync = sync(generation: 2, member: a, assignments: [a: [1, 1], bResult.memberID: [2, 2]])
        #expect(aSync.last?.error == KafkaErrorCode.none)
        #expect(aSync.last?.assignment == [1, 1])
        #expect(bSync.count == 1)
        #expect(bSync.last?.error == KafkaErrorCode.none)
        #expect(bSync.last?.assignment == [2, 2])
        #expect(phase() == "Stable")
        #expect(coordinator.heartbeat(group: "g", generation: 2, memberID: bResult.memberID) == .none)
        #expect(coordinator.heartbeat(group: "g", generation: 1, memberID: a) == .illegalGeneration)
    }

    @Test("a known member rejoining a Stable group with the same metadata keeps its generation")
    func rejoinUnchanged_KeepsGeneration() throws {
        let a = try stableSingleMember()
        let again = join(request(memberID: a))
        #expect(again.last?.error == KafkaErrorCode.none)
        #expect(again.last?.generation == 1)
        #expect(phase() == "Stable")
    }

    // MARK: Commit validation

    @Test("commits: current generation in Stable and PreparingRebalance; refused in CompletingRebalance")
    func commitValidation_ByPhase() throws {
        let (a, b) = try stableTwoMembers()
        #expect(coordinator.validateCommit(group: "g", generation: 2, memberID: a) == .none)
        #expect(coordinator.validateCommit(group: "g", generation: 2, memberID: b) == .none)
        #expect(coordinator.validateCommit(group: "g", generation: 1, memberID: a) == .illegalGeneration)
        #expect(coordinator.validateCommit(group: "g", generation: 2, memberID: "stranger") == .unknownMemberID)
        #expect(coordinator.validateCommit(group: "g", generation: -1, memberID: "") == .rebalanceInProgress)

        let cJoin = join(request(client: "c3"))
        #expect(phase() == "PreparingRebalance")
        #expect(coordinator.validateCommit(group: "g", generation: 2, memberID: a) == .none)
        #expect(coordinator.validateCommit(group: "g", generation: 1, memberID: a) == .illegalGeneration)

        join(request(memberID: a))
        join(request(memberID: b))
        let c = try #require(cJoin.last)
        #expect(c.generation == 3)
        #expect(phase() == "CompletingRebalance")
        #expect(coordinator.validateCommit(group: "g", generation: 3, memberID: a) == .rebalanceInProgress)
        #expect(coordinator.validateCommit(group: "g", generation: 2, memberID: a) == .illegalGeneration)
        #expect(coordinator.validateCommit(group: "g", generation: 3, memberID: "stranger") == .unknownMemberID)
    }

    @Test("a commit outside any generation (-1, \"\") is allowed while the group has no Kafka members")
    func commitOutsideGeneration() throws {
        #expect(coordinator.validateCommit(group: "unknown", generation: -1, memberID: "") == .none)
        #expect(coordinator.validateCommit(group: "unknown", generation: 4, memberID: "m") == .unknownMemberID)
        let a = try stableSingleMember()
        #expect(coordinator.validateCommit(group: "g", generation: -1, memberID: "") == .rebalanceInProgress)
        #expect(coordinator.leave(group: "g", memberIDs: [a]) == [.none])
        #expect(phase() == "Empty")
        #expect(coordinator.validateCommit(group: "g", generation: -1, memberID: "") == .none)
    }

    // MARK: Members going away

    @Test("a silent member's session expires: it is removed and the rest rebalance")
    func sessionExpiry() throws {
        let (a, b) = try stableTwoMembers(session: 1_000)
        timers.advance(by: .milliseconds(600))
        #expect(coordinator.heartbeat(group: "g", generation: 2, memberID: a) == .none)
        coordinator.expireMembers()
        #expect(coordinator.describe(group: "g")?.members.count == 2, "nobody expired yet")
        timers.advance(by: .milliseconds(600))  // b silent 1.2 s > 1 s; a 0.6 s
        coordinator.expireMembers()
        #expect(coordinator.describe(group: "g")?.members.map { $0.id } == [a])
        #expect(coordinator.heartbeat(group: "g", generation: 2, memberID: b) == .unknownMemberID)
        #expect(coordinator.heartbeat(group: "g", generation: 2, memberID: a) == .rebalanceInProgress)
        let rejoined = join(request(memberID: a, session: 1_000))
        let result = try #require(rejoined.last)
        #expect(result.generation == 3)
        #expect(result.members.map { $0.id } == [a])
    }

    @Test("expiry of the last member leaves the group Empty")
    func sessionExpiry_LastMember() throws {
        let a = try stableSingleMember(session: 1_000)
        timers.advance(by: .milliseconds(1_001))
        coordinator.expireMembers()
        #expect(phase() == "Empty")
        #expect(coordinator.heartbeat(group: "g", generation: 1, memberID: a) == .unknownMemberID)
    }

    @Test("a member leaving is removed; the rest rebalance; an unknown one gets UNKNOWN_MEMBER_ID")
    func leave() throws {
        let (a, b) = try stableTwoMembers()
        #expect(coordinator.leave(group: "g", memberIDs: [b, "ghost"]) == [.none, .unknownMemberID])
        #expect(coordinator.describe(group: "g")?.members.map { $0.id } == [a])
        #expect(coordinator.heartbeat(group: "g", generation: 2, memberID: a) == .rebalanceInProgress)
        let rejoined = join(request(memberID: a))
        #expect(rejoined.last?.generation == 3)
        #expect(rejoined.last?.members.map { $0.id } == [a])
    }

    @Test("a leaving member's pending sync is answered UNKNOWN_MEMBER_ID")
    func leave_AnswersPendingSync() throws {
        let (a, _) = try stableTwoMembers()
        let cJoin = join(request(client: "c3"))
        join(request(memberID: a))
        // b does not rejoin: at the rebalance deadline it is dropped, and a (leader) and c form generation 3.
        timers.advance(by: .milliseconds(5_000))
        let c = try #require(cJoin.last)
        #expect(c.generation == 3)
        let cSync = sync(generation: 3, member: c.memberID)
        #expect(cSync.count == 0)
        #expect(coordinator.leave(group: "g", memberIDs: [c.memberID]) == [.none])
        #expect(cSync.last?.error == .unknownMemberID)
    }

    @Test("a member that does not rejoin by the rebalance deadline is dropped")
    func rebalanceDeadline_DropsLaggard() throws {
        let (a, b) = try stableTwoMembers(rebalance: 4_000)
        let cJoin = join(request(client: "c3", rebalance: 4_000))
        let aJoin = join(request(memberID: a, rebalance: 4_000))
        timers.advance(by: .milliseconds(3_999))
        #expect(aJoin.count == 0 && cJoin.count == 0, "still waiting for b")
        timers.advance(by: .milliseconds(1))
        let aResult = try #require(aJoin.last)
        let cResult = try #require(cJoin.last)
        #expect(aResult.error == .none && cResult.error == .none)
        #expect(aResult.generation == 3 && cResult.generation == 3)
        #expect(aResult.leader == a)
        #expect(aResult.members.map { $0.id } == [a, cResult.memberID])
        #expect(coordinator.heartbeat(group: "g", generation: 3, memberID: b) == .unknownMemberID)
    }

    // MARK: Refused joins

    @Test("a join with an unknown non-empty member id gets UNKNOWN_MEMBER_ID")
    func unknownMemberID() throws {
        let answer = join(request(memberID: "ghost-1"))
        #expect(answer.last?.error == .unknownMemberID)
        #expect(answer.last?.memberID == "ghost-1")
        _ = try stableSingleMember()
        #expect(join(request(memberID: "ghost-2")).last?.error == .unknownMemberID)
    }

    @Test("a session timeout outside 1 s ... 1 h gets INVALID_SESSION_TIMEOUT", arguments: [0, 999, 3_600_001, -1])
    func invalidSessionTimeout(timeout: Int) {
        #expect(join(request(session: timeout)).last?.error == .invalidSessionTimeout)
        #expect(phase() == nil, "nothing was created")
    }

    @Test("no protocols, or another protocol type, gets INCONSISTENT_GROUP_PROTOCOL")
    func inconsistentProtocol_EmptyOrOtherType() throws {
        #expect(join(request(protocols: [])).last?.error == .inconsistentGroupProtocol)
        let a = try stableSingleMember()
        #expect(join(request(client: "x", type: "connect")).last?.error == .inconsistentGroupProtocol)
        #expect(coordinator.heartbeat(group: "g", generation: 1, memberID: a) == .none, "the group is unaffected")
    }

    @Test("members joining together with no protocol in common get INCONSISTENT_GROUP_PROTOCOL")
    func inconsistentProtocol_NoCommonProtocolAtFormation() {
        let a = join(request(client: "a", protocols: [("range", [])]))
        let b = join(request(client: "b", protocols: [("roundrobin", [])]))
        timers.advance(by: .milliseconds(300))
        // Kafka refuses the second join at once (its protocols do not intersect the group's); here at least one of
        // the two must be refused and neither may get a generation without a common protocol.
        let answers = a.all + b.all
        #expect(answers.contains { $0.error == .inconsistentGroupProtocol })
        #expect(!answers.contains { $0.error == .none && ($0.protocolName ?? "").isEmpty })
    }

    @Test("a join whose protocols share nothing with a Stable group's is refused at once; the group is unaffected")
    func inconsistentProtocol_NewMemberDoesNotBreakStableGroup() throws {
        let a = try stableSingleMember()
        let b = join(request(client: "b", protocols: [("roundrobin", [])]))
        // Kafka (GroupMetadata.supportsProtocols): INCONSISTENT_GROUP_PROTOCOL for the newcomer, no rebalance.
        #expect(b.last?.error == .inconsistentGroupProtocol)
        #expect(coordinator.heartbeat(group: "g", generation: 1, memberID: a) == .none)
        // Even if it did rebalance: a rejoining must not be thrown out because of b.
        let aJoin = join(request(memberID: a))
        timers.advance(by: .milliseconds(10_000))
        #expect(aJoin.all.allSatisfy { $0.error == .none }, "\(aJoin.all.map { $0.error })")
        #expect(coordinator.describe(group: "g")?.members.map { $0.id }.contains(a) == true)
    }

    @Test("a stale sync or heartbeat (old generation, unknown member) is refused")
    func staleSyncAndHeartbeat() throws {
        let a = try stableSingleMember()
        #expect(sync(generation: 0, member: a).last?.error == .illegalGeneration)
        #expect(sync(generation: 1, member: "ghost").last?.error == .unknownMemberID)
        #expect(coordinator.heartbeat(group: "g", generation: 1, memberID: "ghost") == .unknownMemberID)
        #expect(coordinator.heartbeat(group: "other", generation: 1, memberID: a) == .unknownMemberID)
    }
}
