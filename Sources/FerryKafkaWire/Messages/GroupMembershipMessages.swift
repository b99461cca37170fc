/// SyncGroup request (key 14, v0–3): the leader sends every member's assignment; the others send none.
public struct SyncGroupRequest: Equatable, Sendable {
    /// One member's assignment (Kafka's `SyncGroupRequestAssignment`).
    public struct Assignment: Equatable, Sendable {
        public var memberID: String
        public var assignment: [UInt8]

        public init(memberID: String, assignment: [UInt8]) {
            self.memberID = memberID
            self.assignment = assignment
        }
    }

    public var groupID: String
    public var generationID: Int32
    public var memberID: String
    /// v3+.
    public var groupInstanceID: String?
    public var assignments: [Assignment]

    public init(
        groupID: String, generationID: Int32, memberID: String, groupInstanceID: String? = nil,
        assignments: [Assignment] = []
    ) {
        self.groupID = groupID
        self.generationID = generationID
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.assignments = assignments
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> SyncGroupRequest {
        let groupID = try reader.string()
        let generationID = try reader.int32()
        let memberID = try reader.string()
        let groupInstanceID = version >= 3 ? try reader.nullableString() : nil
        let assignments = try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
            Assignment(memberID: try reader.string(), assignment: try reader.bytesField())
        }
        return SyncGroupRequest(
            groupID: groupID, generationID: generationID, memberID: memberID, groupInstanceID: groupInstanceID,
            assignments: assignments)
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.string(groupID)
        writer.int32(generationID)
        writer.string(memberID)
        if version >= 3 { writer.nullableString(groupInstanceID) }
        writer.array(assignments) { writer, assignment in
            writer.string(assignment.memberID)
            writer.bytesField(assignment.assignment)
        }
    }
}

/// SyncGroup response (v0–3): this member's assignment.
public struct SyncGroupResponse: Equatable, Sendable {
    /// v1+.
    public var throttleTimeMs: Int32
    public var errorCode: Int16
    public var assignment: [UInt8]

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, assignment: [UInt8]) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.assignment = assignment
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 1 { writer.int32(throttleTimeMs) }
        writer.int16(errorCode)
        writer.bytesField(assignment)
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> SyncGroupResponse
    {
        let throttleTimeMs = version >= 1 ? try reader.int32() : 0
        return SyncGroupResponse(
            throttleTimeMs: throttleTimeMs, errorCode: try reader.int16(), assignment: try reader.bytesField())
    }
}

/// Heartbeat request (key 12, v0–3): a member says it is alive in its generation.
public struct HeartbeatRequest: Equatable, Sendable {
    public var groupID: String
    public var generationID: Int32
    public var memberID: String
    /// v3+.
    public var groupInstanceID: String?

    public init(groupID: String, generationID: Int32, memberID: String, groupInstanceID: String? = nil) {
        self.groupID = groupID
        self.generationID = generationID
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> HeartbeatRequest {
        HeartbeatRequest(
            groupID: try reader.string(), generationID: try reader.int32(), memberID: try reader.string(),
            groupInstanceID: version >= 3 ? try reader.nullableString() : nil)
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.string(groupID)
        writer.int32(generationID)
        writer.string(memberID)
        if version >= 3 { writer.nullableString(groupInstanceID) }
    }
}

/// Heartbeat response (v0–3): an error such as REBALANCE_IN_PROGRESS tells the member to rejoin.
public struct HeartbeatResponse: Equatable, Sendable {
    /// v1+.
    public var throttleTimeMs: Int32
    public var errorCode: Int16

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 1 { writer.int32(throttleTimeMs) }
        writer.int16(errorCode)
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> HeartbeatResponse
    {
        let throttleTimeMs = version >= 1 ? try reader.int32() : 0
        return HeartbeatResponse(throttleTimeMs: throttleTimeMs, errorCode: try reader.int16())
    }
}
