import FerryKafkaWire
import Testing

/// Bytes assembled by hand from the JSON message definitions in apache/kafka
/// (clients/src/main/resources/common/message/), compared with the encoders and fed to the decoders.
@Suite("Kafka messages: golden bytes")
struct GoldenBytesTests {
    @Test("ApiVersions v0 request: header v1, empty body")
    func apiVersionsV0Request() throws {
        let header = KafkaRequestHeader(apiKey: 18, apiVersion: 0, correlationID: 7, clientID: "rdkafka")
        let expected: [UInt8] =
            [0, 0, 0, 17]  // frame size: 2 + 2 + 4 + 9
            + [0, 18]  // api_key 18 (ApiVersions)
            + [0, 0]  // api_version 0
            + [0, 0, 0, 7]  // correlation_id
            + str("rdkafka")  // client_id NULLABLE_STRING
        let frame = header.frame { writer in ApiVersionsRequest().encode(&writer, version: 0) }
        #expect(frame == expected, "\(hex(frame))")
        var reader = KafkaReader(expected, from: 4)
        #expect(try KafkaRequestHeader.decode(&reader) == header)
        #expect(try ApiVersionsRequest.decode(&reader, version: 0) == ApiVersionsRequest())
        #expect(reader.isAtEnd)
    }

    @Test("ApiVersions v3 request: header v2 (tagged fields), compact strings, tagged fields")
    func apiVersionsV3Request() throws {
        let header = KafkaRequestHeader(apiKey: 18, apiVersion: 3, correlationID: 1, clientID: "ferry")
        let body = ApiVersionsRequest(clientSoftwareName: "librdkafka", clientSoftwareVersion: "2.0.2")
        let expected: [UInt8] =
            [0, 18, 0, 3]  // api_key 18, api_version 3
            + [0, 0, 0, 1]  // correlation_id
            + str("ferry")  // client_id: still a classic NULLABLE_STRING in header v2
            + [0]  // header tagged fields: none
            + [11] + Array("librdkafka".utf8)  // ClientSoftwareName COMPACT_STRING (length + 1)
            + [6] + Array("2.0.2".utf8)  // ClientSoftwareVersion COMPACT_STRING
            + [0]  // body tagged fields: none
        var writer = KafkaWriter()
        header.encode(&writer)
        body.encode(&writer, version: 3)
        #expect(writer.bytes == expected, "\(hex(writer.bytes))")
        var reader = KafkaReader(expected)
        #expect(try KafkaRequestHeader.decode(&reader) == header)
        #expect(try ApiVersionsRequest.decode(&reader, version: 3) == body)
        #expect(reader.isAtEnd)
    }

    @Test("ApiVersions v3 request: unknown tagged fields are skipped")
    func apiVersionsV3Request_SkipsTaggedFields() throws {
        let bytes: [UInt8] =
            [2] + Array("k".utf8) + [2] + Array("1".utf8)
            + [1, 5, 2, 0xAA, 0xBB]  // one tagged field: tag 5, size 2, two bytes
        #expect(
            try ApiVersionsRequest.decoded(bytes, version: 3)
                == .init(clientSoftwareName: "k", clientSoftwareVersion: "1"))
    }

    static let twoKeys: [ApiVersionsResponse.ApiVersion] = [
        .init(apiKey: 0, minVersion: 3, maxVersion: 8), .init(apiKey: 18, minVersion: 0, maxVersion: 3),
    ]

    @Test("ApiVersions v0 response: error, int32-counted array, no throttle time")
    func apiVersionsV0Response() throws {
        let response = ApiVersionsResponse(errorCode: 0, apiKeys: Self.twoKeys)
        let expected: [UInt8] =
            [0, 0]  // ErrorCode
            + [0, 0, 0, 2]  // ApiKeys ARRAY count
            + [0, 0, 0, 3, 0, 8]  // Produce: ApiKey 0, MinVersion 3, MaxVersion 8
            + [0, 18, 0, 0, 0, 3]  // ApiVersions: ApiKey 18, MinVersion 0, MaxVersion 3
        #expect(response.encoded(version: 0) == expected, "\(hex(response.encoded(version: 0)))")
        #expect(try ApiVersionsResponse.decoded(expected, version: 0) == response)
    }

    @Test("ApiVersions v3 response: compact array, per-key and final tagged fields, throttle time")
    func apiVersionsV3Response() throws {
        let response = ApiVersionsResponse(errorCode: 0, apiKeys: Self.twoKeys, throttleTimeMs: 0)
        let expected: [UInt8] =
            [0, 0]  // ErrorCode
            + [3]  // ApiKeys COMPACT_ARRAY: count + 1
            + [0, 0, 0, 3, 0, 8, 0]  // Produce 3...8, tagged fields: none
            + [0, 18, 0, 0, 0, 3, 0]  // ApiVersions 0...3, tagged fields: none
            + [0, 0, 0, 0]  // ThrottleTimeMs
            + [0]  // tagged fields: none (no SupportedFeatures etc.)
        #expect(response.encoded(version: 3) == expected, "\(hex(response.encoded(version: 3)))")
        #expect(try ApiVersionsResponse.decoded(expected, version: 3) == response)
    }

    @Test("Metadata v1 request: int32-counted array of topic names")
    func metadataV1Request() throws {
        let request = MetadataRequest(topics: ["orders", "audit"])
        let expected: [UInt8] =
            [0, 0, 0, 2]  // Topics ARRAY count
            + str("orders")  // Topics[0].Name
            + str("audit")  // Topics[1].Name
        #expect(request.encoded(version: 1) == expected)
        #expect(try MetadataRequest.decoded(expected, version: 1) == request)
    }

    @Test("Produce v3 request: header and body")
    func produceV3Request() throws {
        let header = KafkaRequestHeader(apiKey: 0, apiVersion: 3, correlationID: 42, clientID: "test")
        let request = ProduceRequest(
            transactionalID: nil, acks: -1, timeoutMs: 30000,
            topics: [.init(name: "orders", partitions: [.init(index: 0, records: [1, 2, 3])])])
        let expected: [UInt8] =
            [0, 0, 0, 49]  // frame size: 14 header + 35 body
            + [0, 0, 0, 3]  // api_key 0 (Produce), api_version 3
            + [0, 0, 0, 42]  // correlation_id
            + str("test")  // client_id
            + [0xFF, 0xFF]  // TransactionalId: null
            + [0xFF, 0xFF]  // Acks -1
            + [0, 0, 0x75, 0x30]  // TimeoutMs 30000
            + [0, 0, 0, 1]  // TopicData count
            + str("orders")  // Name
            + [0, 0, 0, 1]  // PartitionData count
            + [0, 0, 0, 0]  // Index 0
            + [0, 0, 0, 3, 1, 2, 3]  // Records NULLABLE_BYTES (int32 length)
        let frame = header.frame { writer in request.encode(&writer, version: 3) }
        #expect(frame == expected, "\(hex(frame))")
        var reader = KafkaReader(expected, from: 4)
        #expect(try KafkaRequestHeader.decode(&reader) == header)
        #expect(try ProduceRequest.decode(&reader, version: 3) == request)
        #expect(reader.isAtEnd)
    }

    @Test("JoinGroup v5 response: throttle, generation, protocol, leader, members with group instance ids")
    func joinGroupV5Response() throws {
        let response = JoinGroupResponse(
            throttleTimeMs: 0, errorCode: 0, generationID: 1, protocolName: "range", leader: "m-1", memberID: "m-1",
            members: [.init(memberID: "m-1", groupInstanceID: nil, metadata: [0, 1])])
        let expected: [UInt8] =
            [0, 0, 0, 0]  // ThrottleTimeMs (v2+)
            + [0, 0]  // ErrorCode
            + [0, 0, 0, 1]  // GenerationId
            + str("range")  // ProtocolName
            + str("m-1")  // Leader
            + str("m-1")  // MemberId
            + [0, 0, 0, 1]  // Members count
            + str("m-1")  // Members[0].MemberId
            + [0xFF, 0xFF]  // Members[0].GroupInstanceId (v5+): null
            + [0, 0, 0, 2, 0, 1]  // Members[0].Metadata BYTES
        #expect(response.encoded(version: 5) == expected, "\(hex(response.encoded(version: 5)))")
        #expect(try JoinGroupResponse.decoded(expected, version: 5) == response)
    }

    @Test("Fetch v11 response partition: LSO, log start, null aborted transactions, preferred replica, records")
    func fetchV11ResponsePartition() throws {
        let response = FetchResponse(
            throttleTimeMs: 0, errorCode: 0, sessionID: 0,
            responses: [
                .init(
                    topic: "t",
                    partitions: [
                        .init(partitionIndex: 0, highWatermark: 5, lastStableOffset: 5, logStartOffset: 0, records: [7])
                    ])
            ])
        let expected: [UInt8] =
            [0, 0, 0, 0]  // ThrottleTimeMs
            + [0, 0]  // ErrorCode (v7+)
            + [0, 0, 0, 0]  // SessionId (v7+)
            + [0, 0, 0, 1] + str("t")  // Responses count, Topic
            + [0, 0, 0, 1]  // Partitions count
            + [0, 0, 0, 0]  // PartitionIndex
            + [0, 0]  // ErrorCode
            + [0, 0, 0, 0, 0, 0, 0, 5]  // HighWatermark
            + [0, 0, 0, 0, 0, 0, 0, 5]  // LastStableOffset (v4+)
            + [0, 0, 0, 0, 0, 0, 0, 0]  // LogStartOffset (v5+)
            + [0xFF, 0xFF, 0xFF, 0xFF]  // AbortedTransactions (v4+): null
            + [0xFF, 0xFF, 0xFF, 0xFF]  // PreferredReadReplica (v11+): -1
            + [0, 0, 0, 1, 7]  // Records
        #expect(response.encoded(version: 11) == expected, "\(hex(response.encoded(version: 11)))")
        #expect(try FetchResponse.decoded(expected, version: 11) == response)
    }
}
