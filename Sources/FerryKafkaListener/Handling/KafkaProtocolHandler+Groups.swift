import FerryBroker
import FerryKafkaWire
import Synchronization

extension KafkaProtocolHandler {
    /// Why a group request cannot go ahead here (bad name, HTTP members, not this node's), or nil.
    func groupRefusal(_ group: String) -> KafkaErrorCode? {
        do throws(BrokerError) {
            try ResourceName.validate(group, kind: "group")
            let shard = try broker.shard(for: .group(group))
            return shard.groups.hasMembers(group: group) ? .inconsistentGroupProtocol : nil
        } catch {
            if case .unavailable = error { return .notCoordinator }
            return .invalidGroupID
        }
    }

    func joinGroup(
        _ request: JoinGroupRequest, version: Int16, header: KafkaRequestHeader, _ session: KafkaSession,
        _ responder: KafkaResponder
    ) {
        if let refusal = groupRefusal(request.groupID) {
            let response = JoinGroupResponse(
                errorCode: refusal.rawValue, protocolName: "", leader: "", memberID: request.memberID)
            return send(response, version: version, to: responder)
        }
        let join = ClassicGroupCoordinator.JoinRequest(
            group: request.groupID, memberID: request.memberID, groupInstanceID: request.groupInstanceID,
            sessionTimeoutMs: Int(request.sessionTimeoutMs),
            // v0 has no rebalance timeout: Kafka uses the session timeout.
            rebalanceTimeoutMs: Int(
                request.rebalanceTimeoutMs >= 0 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs),
            protocolType: request.protocolType, protocols: request.protocols.map { ($0.name, $0.metadata) },
            clientID: header.clientID ?? "", clientHost: "/" + String(session.remote.prefix { $0 != ":" }))
        groups.join(join) { [self] result in
            let response = JoinGroupResponse(
                errorCode: result.error.rawValue, generationID: result.generation,
                protocolName: result.protocolName ?? "", leader: result.leader, memberID: result.memberID,
                members: result.members.map {
                    .init(memberID: $0.id, groupInstanceID: $0.groupInstanceID, metadata: $0.metadata)
                })
            send(response, version: version, to: responder)
        }
    }

    func syncGroup(_ request: SyncGroupRequest, version: Int16, _ responder: KafkaResponder) {
        var assignments: [String: [UInt8]] = [:]
        for assignment in request.assignments { assignments[assignment.memberID] = assignment.assignment }
        groups.sync(
            group: request.groupID, generation: request.generationID, memberID: request.memberID,
            assignments: assignments
        ) { [self] error, assignment in
            send(SyncGroupResponse(errorCode: error.rawValue, assignment: assignment), version: version, to: responder)
        }
    }

    func heartbeat(_ request: HeartbeatRequest, version: Int16, _ responder: KafkaResponder) {
        let error = groups.heartbeat(
            group: request.groupID, generation: request.generationID, memberID: request.memberID)
        send(HeartbeatResponse(errorCode: error.rawValue), version: version, to: responder)
    }

    func leaveGroup(_ request: LeaveGroupRequest, version: Int16, _ responder: KafkaResponder) {
        let leaving = request.leavingMembers
        let errors = groups.leave(group: request.groupID, memberIDs: leaving.map(\.memberID))
        let members = zip(leaving, errors).map {
            LeaveGroupResponse.Member(
                memberID: $0.memberID, groupInstanceID: $0.groupInstanceID, errorCode: $1.rawValue)
        }
        // v0–2 carry one member and answer with its error at the top level.
        let topError = version < 3 ? (errors.first ?? .none) : .none
        send(LeaveGroupResponse(errorCode: topError.rawValue, members: members), version: version, to: responder)
    }
}
