/// FindCoordinator request (key 10, v0–2): which broker coordinates a consumer group (key type 0) or a
/// transactional id (key type 1).
public struct FindCoordinatorRequest: Equatable, Sendable {
    public var key: String
    /// v1+: 0 = group, 1 = transaction.
    public var keyType: Int8

    public init(key: String, keyType: Int8 = 0) {
        self.key = key
        self.keyType = keyType
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> FindCoordinatorRequest
    {
        let key = try reader.string()
        return FindCoordinatorRequest(key: key, keyType: version >= 1 ? try reader.int8() : 0)
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.string(key)
        if version >= 1 { writer.int8(keyType) }
    }
}

/// FindCoordinator response (v0–2): the coordinator's node id and address, or an error.
public struct FindCoordinatorResponse: Equatable, Sendable {
    /// v1+.
    public var throttleTimeMs: Int32
    public var errorCode: Int16
    /// v1+.
    public var errorMessage: String?
    public var nodeID: Int32
    public var host: String
    public var port: Int32

    public init(
        throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, errorMessage: String? = nil, nodeID: Int32, host: String,
        port: Int32
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.nodeID = nodeID
        self.host = host
        self.port = port
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 1 { writer.int32(throttleTimeMs) }
        writer.int16(errorCode)
        if version >= 1 { writer.nullableString(errorMessage) }
        writer.int32(nodeID)
        writer.string(host)
        writer.int32(port)
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> FindCoordinatorResponse
    {
        let throttleTimeMs = version >= 1 ? try reader.int32() : 0
        let errorCode = try reader.int16()
        let errorMessage = version >= 1 ? try reader.nullableString() : nil
        return FindCoordinatorResponse(
            throttleTimeMs: throttleTimeMs, errorCode: errorCode, errorMessage: errorMessage,
            nodeID: try reader.int32(), host: try reader.string(), port: try reader.int32())
    }
}
