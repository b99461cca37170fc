import FerryKafkaWire

/// What every request and response codec offers; lets the tests round-trip any of them.
protocol WireMessage: Equatable, Sendable {
    static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> Self
    func encode(_ writer: inout KafkaWriter, version: Int16)
}

extension ApiVersionsRequest: WireMessage {}
extension ApiVersionsResponse: WireMessage {}
extension MetadataRequest: WireMessage {}
extension MetadataResponse: WireMessage {}
extension ProduceRequest: WireMessage {}
extension ProduceResponse: WireMessage {}
extension FetchRequest: WireMessage {}
extension FetchResponse: WireMessage {}
extension ListOffsetsRequest: WireMessage {}
extension ListOffsetsResponse: WireMessage {}
extension FindCoordinatorRequest: WireMessage {}
extension FindCoordinatorResponse: WireMessage {}
extension JoinGroupRequest: WireMessage {}
extension JoinGroupResponse: WireMessage {}
extension SyncGroupRequest: WireMessage {}
extension SyncGroupResponse: WireMessage {}
extension HeartbeatRequest: WireMessage {}
extension HeartbeatResponse: WireMessage {}
extension LeaveGroupRequest: WireMessage {}
extension LeaveGroupResponse: WireMessage {}
extension OffsetCommitRequest: WireMessage {}
extension OffsetCommitResponse: WireMessage {}
extension OffsetFetchRequest: WireMessage {}
extension OffsetFetchResponse: WireMessage {}
extension InitProducerIdRequest: WireMessage {}
extension InitProducerIdResponse: WireMessage {}
extension CreateTopicsRequest: WireMessage {}
extension CreateTopicsResponse: WireMessage {}
extension DeleteTopicsRequest: WireMessage {}
extension DeleteTopicsResponse: WireMessage {}
extension CreatePartitionsRequest: WireMessage {}
extension CreatePartitionsResponse: WireMessage {}
extension DescribeGroupsRequest: WireMessage {}
extension DescribeGroupsResponse: WireMessage {}
extension ListGroupsRequest: WireMessage {}
extension ListGroupsResponse: WireMessage {}
extension SaslHandshakeRequest: WireMessage {}
extension SaslHandshakeResponse: WireMessage {}
extension SaslAuthenticateRequest: WireMessage {}
extension SaslAuthenticateResponse: WireMessage {}

extension WireMessage {
    func encoded(version: Int16) -> [UInt8] {
        var writer = KafkaWriter()
        encode(&writer, version: version)
        return writer.bytes
    }

    static func decoded(_ bytes: [UInt8], version: Int16) throws(KafkaWireError) -> Self {
        var reader = KafkaReader(bytes)
        let message = try decode(&reader, version: version)
        guard reader.isAtEnd else { throw .invalid("\(reader.remaining) bytes left after the message") }
        return message
    }
}

/// Hex of `bytes` with spaces, for readable expectation failures.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }.joined(separator: " ")
}

/// The bytes of a Kafka STRING (int16 length, UTF-8).
func str(_ text: String) -> [UInt8] {
    let utf8 = Array(text.utf8)
    return [UInt8(utf8.count >> 8), UInt8(utf8.count & 0xFF)] + utf8
}
