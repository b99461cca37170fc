/// JoinGroup request (key 11, v0–5): a member joins (or rejoins) a consumer group, offering its protocols.
public struct JoinGroupRequest: Equatable, Sendable {
    /// One assignment protocol the member supports (Kafka's `JoinGroupRequestProtocol`).
    public struct GroupProtocol: Equatable, Sendable {
        public var name: String
        public var metadata: [UInt8]

        public init(name: String, metadata: [UInt8]) {
            self.name = name
            self.metadata = metadata
        }
    }

    public var groupID: String
    public var sessionTimeoutMs: Int32
    /// v1+ (-1 before: use the session timeout).
    public var rebalanceTimeoutMs: Int32
    public var memberID: String
    /// v5+: static membership.
    public var groupInstanceID: String?
    public var protocolType: String
    public var protocols: [GroupProtocol]

    public init(
        groupID: String, sessionTimeoutMs: Int32, rebalanceTimeoutMs: Int32 = -1, memberID: String,
        groupInstanceID: String? = nil, protocolType: String, protocols: [GroupProtocol]
    ) {
        self.groupID = groupID
        self.sessionTimeoutMs = sessionTimeoutMs
        self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.protocolType = protocolType
        self.protocols = protocols
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> JoinGroupRequest {
        let groupID = try reader.string()
        let sessionTimeoutMs = try reader.int32()
        let rebalanceTimeoutMs = version >= 1 ? try reader.int32() : -1
        let memberID = try reader.string()
        let groupInstanceID = version >= 5 ? try reader.nullableString() : nil
        let protocolType = try reader.string()
        let protocols = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            GroupProtocol(name: try reader.string(), metadata: try reader.bytesField())
        }
        return JoinGroupRequest(
            groupID: groupID, sessionTimeoutMs: sessionTimeoutMs, rebalanceTimeoutMs: rebalanceTimeoutMs,
            memberID: memberID, groupInstanceID: groupInstanceID, protocolType: protocolType, protocols: protocols)
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.string(groupID)
        writer.int32(sessionTimeoutMs)
        if version >= 1 { writer.int32(rebalanceTimeoutMs) }
        writer.string(memberID)
        if version >= 5 { writer.nullableString(groupInstanceID) }
        writer.string(protocolType)
        writer.array(protocols) { writer, groupProtocol in
            writer.string(groupProtocol.name)
            writer.bytesField(groupProtocol.metadata)
        }
    }
}

/// JoinGroup response (v0–5): the generation, the chosen protocol, the leader, and (for the leader only) every
/// member's metadata.
public struct JoinGroupResponse: Equatable, Sendable {
    /// One member of the group, as the leader sees it (Kafka's `JoinGroupResponseMember`).
    public struct Member: Equatable, Sendable {
        public var memberID: String
        /// v5+.
        public var groupInstanceID: String?
        public var metadata: [UInt8]

        public init(memberID: String, groupInstanceID: String? = nil, metadata: [UInt8]) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.metadata = metadata
        }
    }

    /// v2+.
    public var throttleTimeMs: Int32
    public var errorCode: Int16
    public var generationID: Int32
    public var protocolName: String
    public var leader: String
    public var memberID: String
    public var members: [Member]

    public init(
        throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, generationID: Int32 = -1, protocolName: String,
        leader: String, memberID: String, members: [Member] = []
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.generationID = generationID
        self.protocolName = protocolName
        self.leader = leader
        self.memberID = memberID
        self.members = members
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 2 { writer.int32(throttleTimeMs) }
        writer.int16(errorCode)
        writer.int32(generationID)
        writer.string(protocolName)
        writer.string(leader)
        writer.string(memberID)
        writer.array(members) { writer, member in
            writer.string(member.memberID)
            if version >= 5 { writer.nullableString(member.groupInstanceID) }
            writer.bytesField(member.metadata)
        }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> JoinGroupResponse
    {
        let throttleTimeMs = version >= 2 ? try reader.int32() : 0
        let errorCode = try reader.int16()
        let generationID = try reader.int32()
        let protocolName = try reader.string()
        let leader = try reader.string()
        let memberID = try reader.string()
        let members = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            let memberID = try reader.string()
            let groupInstanceID = version >= 5 ? try reader.nullableString() : nil
            return Member(memberID: memberID, groupInstanceID: groupInstanceID, metadata: try reader.bytesField())
        }
        return JoinGroupResponse(
            throttleTimeMs: throttleTimeMs, errorCode: errorCode, generationID: generationID,
            protocolName: protocolName, leader: leader, memberID: memberID, members: members)
    }
}
