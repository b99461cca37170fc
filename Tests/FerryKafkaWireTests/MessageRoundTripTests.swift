import FerryKafkaWire
import Testing

/// Both ends of each API's supported range.
let apiVersionEnds: [(KafkaAPIKey, Int16)] = KafkaAPIKey.allCases.flatMap { api in
    [(api, api.supportedVersions.lowerBound), (api, api.supportedVersions.upperBound)]
}

@Suite("Kafka messages: encode → decode round trips")
struct MessageRoundTripTests {
    @Test("every request round-trips at its lowest and highest supported version", arguments: apiVersionEnds)
    func request_RoundTrips(api: KafkaAPIKey, version: Int16) throws {
        try expectRoundTrip(MessageSamples.request(api, version: version), version: version)
    }

    @Test("every response round-trips at its lowest and highest supported version", arguments: apiVersionEnds)
    func response_RoundTrips(api: KafkaAPIKey, version: Int16) throws {
        try expectRoundTrip(MessageSamples.response(api, version: version), version: version)
    }

    @Test("every version in between round-trips too (fields gated by version stay consistent)")
    func everyVersion_RoundTrips() throws {
        for api in KafkaAPIKey.allCases {
            for version in api.supportedVersions {
                try expectRoundTrip(MessageSamples.request(api, version: version), version: version)
                try expectRoundTrip(MessageSamples.response(api, version: version), version: version)
            }
        }
    }

    private func expectRoundTrip<M: WireMessage>(_ message: M, version: Int16) throws {
        let bytes = message.encoded(version: version)
        let decoded = try M.decoded(bytes, version: version)
        #expect(decoded == message, "\(M.self) v\(version)")
    }

    @Test("Metadata: nil topics (all) is a null array from v1, an empty array at v0, and both decode as nil")
    func metadataAllTopics_NullFromV1_EmptyAtV0() throws {
        let all = MetadataRequest(topics: nil)
        #expect(all.encoded(version: 1) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try MetadataRequest.decoded(all.encoded(version: 1), version: 1).topics == nil)
        #expect(all.encoded(version: 0) == [0, 0, 0, 0])
        #expect(try MetadataRequest.decoded([0, 0, 0, 0], version: 0).topics == nil)
        // From v1 an empty array means no topics at all, not every topic.
        #expect(try MetadataRequest.decoded([0, 0, 0, 0], version: 1).topics == [])
    }

    @Test("OffsetFetch: nil topics (all committed) is a null array from v2")
    func offsetFetchAllTopics_NullFromV2() throws {
        let all = OffsetFetchRequest(groupID: "g", topics: nil)
        #expect(try OffsetFetchRequest.decoded(all.encoded(version: 5), version: 5) == all)
        #expect(try OffsetFetchRequest.decoded(all.encoded(version: 1), version: 1).topics == [])
    }

    @Test("Fetch response: a null aborted-transactions array and a null record set stay nil")
    func fetchResponse_NullsStayNil() throws {
        let response = FetchResponse(
            responses: [.init(topic: "t", partitions: [.init(partitionIndex: 0, highWatermark: 0, records: nil)])])
        #expect(try FetchResponse.decoded(response.encoded(version: 11), version: 11) == response)
        let empty = FetchResponse(
            responses: [
                .init(
                    topic: "t",
                    partitions: [.init(partitionIndex: 0, highWatermark: 0, abortedTransactions: [], records: [])])
            ])
        #expect(try FetchResponse.decoded(empty.encoded(version: 4), version: 4) == empty)
    }

    @Test("LeaveGroup: leavingMembers covers the single v0–2 member and the v3 batch")
    func leaveGroup_LeavingMembers() {
        #expect(LeaveGroupRequest(groupID: "g", memberID: "m").leavingMembers == [.init(memberID: "m")])
        let batch = [LeaveGroupRequest.Member(memberID: "a", groupInstanceID: "i")]
        #expect(LeaveGroupRequest(groupID: "g", members: batch).leavingMembers == batch)
    }

    @Test("error codes carry Kafka's numbers and names")
    func errorCodes_NumbersAndNames() {
        #expect(KafkaErrorCode.notLeaderOrFollower.rawValue == 6)
        #expect(KafkaErrorCode.notLeaderOrFollower.name == "NOT_LEADER_OR_FOLLOWER")
        #expect(KafkaErrorCode.unknown.rawValue == -1)
        #expect(KafkaErrorCode.unknown.name == "UNKNOWN_SERVER_ERROR")
        #expect(KafkaErrorCode.groupIDNotFound.rawValue == 69)
        #expect(KafkaErrorCode.unstableOffsetCommit.rawValue == 88)
        #expect(KafkaErrorCode(rawValue: 35) == .unsupportedVersion)
        #expect(Set(KafkaErrorCode.allCases.map(\.name)).count == KafkaErrorCode.allCases.count)
        #expect(KafkaErrorCode.allCases.allSatisfy { $0.name.allSatisfy { $0.isUppercase || $0 == "_" } })
        #expect(KafkaErrorCode.coordinatorLoadInProgress.isRetriable)
        #expect(!KafkaErrorCode.topicAuthorizationFailed.isRetriable)
    }
}
