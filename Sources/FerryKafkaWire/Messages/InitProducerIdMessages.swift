/// InitProducerId request (key 22, v0–1): an idempotent or transactional producer asks for its producer id and
/// epoch.
public struct InitProducerIdRequest: Equatable, Sendable {
    public var transactionalID: String?
    public var transactionTimeoutMs: Int32

    public init(transactionalID: String? = nil, transactionTimeoutMs: Int32) {
        self.transactionalID = transactionalID
        self.transactionTimeoutMs = transactionTimeoutMs
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> InitProducerIdRequest
    {
        InitProducerIdRequest(transactionalID: try reader.nullableString(), transactionTimeoutMs: try reader.int32())
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.nullableString(transactionalID)
        writer.int32(transactionTimeoutMs)
    }
}

/// InitProducerId response (v0–1): the producer id and epoch assigned.
public struct InitProducerIdResponse: Equatable, Sendable {
    public var throttleTimeMs: Int32
    public var errorCode: Int16
    public var producerID: Int64
    public var producerEpoch: Int16

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, producerID: Int64 = -1, producerEpoch: Int16 = -1) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.producerID = producerID
        self.producerEpoch = producerEpoch
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.int32(throttleTimeMs)
        writer.int16(errorCode)
        writer.int64(producerID)
        writer.int16(producerEpoch)
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> InitProducerIdResponse
    {
        InitProducerIdResponse(
            throttleTimeMs: try reader.int32(), errorCode: try reader.int16(), producerID: try reader.int64(),
            producerEpoch: try reader.int16())
    }
}
