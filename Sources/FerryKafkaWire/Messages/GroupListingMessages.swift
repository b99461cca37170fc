/// DescribeGroups request (key 15, v0–4): the state, protocol and members of some groups.
public struct DescribeGroupsRequest: Equatable, Sendable {
    public var groups: [String]
    /// v3+.
    public var includeAuthorizedOperations: Bool

    public init(groups: [String], includeAuthorizedOperations: Bool = false) {
        self.groups = groups
        self.includeAuthorizedOperations = includeAuthorizedOperations
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> DescribeGroupsRequest
    {
        let groups = try reader.stringArray()
        return DescribeGroupsRequest(
            groups: groups, includeAuthorizedOperations: version >= 3 ? try reader.bool() : false)
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.stringArray(groups)
        if version >= 3 { writer.bool(includeAuthorizedOperations) }
    }
}

/// DescribeGroups response (v0–4): each group's state and members.
public struct DescribeGroupsResponse: Equatable, Sendable {
    /// One described group (Kafka's `DescribedGroup`).
    public struct Group: Equatable, Sendable {
        public var errorCode: Int16
        public var groupID: String
        /// "Stable", "PreparingRebalance", "CompletingRebalance", "Empty", "Dead", or "".
        public var groupState: String
        public var protocolType: String
        /// The chosen protocol's name.
        public var protocolData: String
        public var members: [Member]
        /// v3+ (Int32.min = not requested).
        public var authorizedOperations: Int32

        public init(
            errorCode: Int16 = 0, groupID: String, groupState: String, protocolType: String, protocolData: String,
            members: [Member], authorizedOperations: Int32 = Int32.min
        ) {
            self.errorCode = errorCode
            self.groupID = groupID
            self.groupState = groupState
            self.protocolType = protocolType
            self.protocolData = protocolData
            self.members = members
            self.authorizedOperations = authorizedOperations
        }
    }

    /// One member of a described group (Kafka's `DescribedGroupMember`).
    public struct Member: Equatable, Sendable {
        public var memberID: String
        /// v4+.
        public var groupInstanceID: String?
        public var clientID: String
        public var clientHost: String
        public var memberMetadata: [UInt8]
        public var memberAssignment: [UInt8]

        public init(
            memberID: String, groupInstanceID: String? = nil, clientID: String, clientHost: String,
            memberMetadata: [UInt8], memberAssignment: [UInt8]
        ) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.clientID = clientID
            self.clientHost = clientHost
            self.memberMetadata = memberMetadata
            self.memberAssignment = memberAssignment
        }
    }

    /// v1+.
    public var throttleTimeMs: Int32
    public var groups: [Group]

    public init(throttleTimeMs: Int32 = 0, groups: [Group]) {
        self.throttleTimeMs = throttleTimeMs
        self.groups = groups
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 1 { writer.int32(throttleTimeMs) }
        writer.array(groups) { writer, group in
            writer.int16(group.errorCode)
            writer.string(group.groupID)
            writer.string(group.groupState)
            writer.string(group.protocolType)
            writer.string(group.protocolData)
            writer.array(group.members) { writer, member in
                writer.string(member.memberID)
                if version >= 4 { writer.nullableString(member.groupInstanceID) }
                writer.string(member.clientID)
                writer.string(member.clientHost)
                writer.bytesField(member.memberMetadata)
                writer.bytesField(member.memberAssignment)
            }
            if version >= 3 { writer.int32(group.authorizedOperations) }
        }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> DescribeGroupsResponse
    {
        let throttleTimeMs = version >= 1 ? try reader.int32() : 0
        let groups = try reader.array(minimumElementBytes: 14) { reader throws(KafkaWireError) in
            var group = Group(
                errorCode: try reader.int16(), groupID: try reader.string(), groupState: try reader.string(),
                protocolType: try reader.string(), protocolData: try reader.string(), members: [])
            group.members = try reader.array(minimumElementBytes: 14) { reader throws(KafkaWireError) in
                let memberID = try reader.string()
                let groupInstanceID = version >= 4 ? try reader.nullableString() : nil
                return Member(
                    memberID: memberID, groupInstanceID: groupInstanceID, clientID: try reader.string(),
                    clientHost: try reader.string(), memberMetadata: try reader.bytesField(),
                    memberAssignment: try reader.bytesField())
            }
            if version >= 3 { group.authorizedOperations = try reader.int32() }
            return group
        }
        return DescribeGroupsResponse(throttleTimeMs: throttleTimeMs, groups: groups)
    }
}

/// ListGroups request (key 16, v0–2): every group the broker coordinates. The body is empty in these versions.
public struct ListGroupsRequest: Equatable, Sendable {
    public init() {}

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> ListGroupsRequest
    {
        ListGroupsRequest()
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {}
}

/// ListGroups response (v0–2): each group's id and protocol type.
public struct ListGroupsResponse: Equatable, Sendable {
    /// One group (Kafka's `ListedGroup`).
    public struct Group: Equatable, Sendable {
        public var groupID: String
        public var protocolType: String

        public init(groupID: String, protocolType: String) {
            self.groupID = groupID
            self.protocolType = protocolType
        }
    }

    /// v1+.
    public var throttleTimeMs: Int32
    public var errorCode: Int16
    public var groups: [Group]

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, groups: [Group]) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.groups = groups
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 1 { writer.int32(throttleTimeMs) }
        writer.int16(errorCode)
        writer.array(groups) { writer, group in
            writer.string(group.groupID)
            writer.string(group.protocolType)
        }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> ListGroupsResponse
    {
        let throttleTimeMs = version >= 1 ? try reader.int32() : 0
        let errorCode = try reader.int16()
        let groups = try reader.array(minimumElementBytes: 4) { reader throws(KafkaWireError) in
            ListGroupsResponse.Group(groupID: try reader.string(), protocolType: try reader.string())
        }
        return ListGroupsResponse(throttleTimeMs: throttleTimeMs, errorCode: errorCode, groups: groups)
    }
}
