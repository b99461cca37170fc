/// LeaveGroup request (key 13, v0–3): one member (v0–2) or several (v3+, batch) leave a group.
public struct LeaveGroupRequest: Equatable, Sendable {
    /// One leaving member (Kafka's `MemberIdentity`, v3+).
    public struct Member: Equatable, Sendable {
        public var memberID: String
        public var groupInstanceID: String?

        public init(memberID: String, groupInstanceID: String? = nil) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
        }
    }

    public var groupID: String
    /// v0–2 ("" from v3).
    public var memberID: String
    /// v3+ (empty before).
    public var members: [Member]

    public init(groupID: String, memberID: String = "", members: [Member] = []) {
        self.groupID = groupID
        self.memberID = memberID
        self.members = members
    }

    /// The leaving members whatever the version: `members`, or the single `memberID` before v3.
    public var leavingMembers: [Member] {
        members.isEmpty && !memberID.isEmpty ? [Member(memberID: memberID)] : members
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> LeaveGroupRequest {
        var request = LeaveGroupRequest(groupID: try reader.string())
        if version <= 2 {
            request.memberID = try reader.string()
        } else {
            request.members = try reader.array(minimumElementBytes: 4) { reader throws(KafkaWireError) in
                Member(memberID: try reader.string(), groupInstanceID: try reader.nullableString())
            }
        }
        return request
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.string(groupID)
        if version <= 2 {
            writer.string(memberID)
        } else {
            writer.array(members) { writer, member in
                writer.string(member.memberID)
                writer.nullableString(member.groupInstanceID)
            }
        }
    }
}

/// LeaveGroup response (v0–3): the group's error, and from v3 each member's.
public struct LeaveGroupResponse: Equatable, Sendable {
    /// One member's result (Kafka's `MemberResponse`, v3+).
    public struct Member: Equatable, Sendable {
        public var memberID: String
        public var groupInstanceID: String?
        public var errorCode: Int16

        public init(memberID: String, groupInstanceID: String? = nil, errorCode: Int16 = 0) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.errorCode = errorCode
        }
    }

    /// v1+.
    public var throttleTimeMs: Int32
    public var errorCode: Int16
    /// v3+.
    public var members: [Member]

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, members: [Member] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.members = members
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 1 { writer.int32(throttleTimeMs) }
        writer.int16(errorCode)
        if version >= 3 {
            writer.array(members) { writer, member in
                writer.string(member.memberID)
                writer.nullableString(member.groupInstanceID)
                writer.int16(member.errorCode)
            }
        }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> LeaveGroupResponse
    {
        var response = LeaveGroupResponse()
        if version >= 1 { response.throttleTimeMs = try reader.int32() }
        response.errorCode = try reader.int16()
        if version >= 3 {
            response.members = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
                Member(
                    memberID: try reader.string(), groupInstanceID: try reader.nullableString(),
                    errorCode: try reader.int16())
            }
        }
        return response
    }
}
