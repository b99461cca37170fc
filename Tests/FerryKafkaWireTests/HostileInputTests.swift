import FerryKafkaWire
import Testing

@Suite("Kafka messages: truncated and hostile input")
struct HostileInputTests {
    @Test("every strict prefix of a valid request throws when decoded", arguments: apiVersionEnds)
    func requestPrefixes_Throw(api: KafkaAPIKey, version: Int16) {
        expectPrefixesThrow(MessageSamples.request(api, version: version), version: version)
    }

    @Test("every strict prefix of a valid response throws when decoded", arguments: apiVersionEnds)
    func responsePrefixes_Throw(api: KafkaAPIKey, version: Int16) {
        expectPrefixesThrow(MessageSamples.response(api, version: version), version: version)
    }

    private func expectPrefixesThrow<M: WireMessage>(_ message: M, version: Int16) {
        let bytes = message.encoded(version: version)
        for length in 0..<bytes.count {
            var reader = KafkaReader(Array(bytes[0..<length]))
            #expect(throws: KafkaWireError.self, "\(M.self) v\(version), \(length) of \(bytes.count) bytes") {
                _ = try M.decode(&reader, version: version)
            }
        }
    }

    /// A count of 0x7fffffff elements: the decoder must refuse it (`.invalid`) before reserving any memory.
    private static let hostileCount: [UInt8] = [0x7F, 0xFF, 0xFF, 0xFF]

    private func expectInvalid<M: WireMessage>(
        _ type: M.Type, _ bytes: [UInt8], version: Int16, mentioning needle: String = ""
    ) {
        var reader = KafkaReader(bytes)
        let error = #expect(throws: KafkaWireError.self) { _ = try M.decode(&reader, version: version) }
        guard case .invalid(let reason) = error else {
            Issue.record("expected .invalid, got \(String(describing: error))")
            return
        }
        #expect(reason.contains(needle), "\(reason)")
    }

    @Test("a hostile top-level array count is refused as invalid")
    func hostileTopLevelCount_IsInvalid() {
        // Produce v3: TransactionalId null, Acks 1, TimeoutMs 1000, then TopicData count 0x7fffffff.
        expectInvalid(
            ProduceRequest.self, [0xFF, 0xFF, 0, 1, 0, 0, 0x03, 0xE8] + Self.hostileCount + [0, 0], version: 3,
            mentioning: "2147483647")
        // Metadata v1: a nullable Topics array.
        expectInvalid(MetadataRequest.self, Self.hostileCount + str("x"), version: 1, mentioning: "2147483647")
        // DeleteTopics v0: an array of strings.
        expectInvalid(DeleteTopicsRequest.self, Self.hostileCount, version: 0, mentioning: "2147483647")
        // ApiVersions v3 response: a compact array whose varint count + 1 is 0x7fffffff (0x7ffffffe keys).
        expectInvalid(
            ApiVersionsResponse.self, [0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x07], version: 3, mentioning: "2147483646")
    }

    @Test("a hostile nested array count is refused as invalid")
    func hostileNestedCount_IsInvalid() {
        // Produce v3 with one topic whose PartitionData count is 0x7fffffff.
        let produce: [UInt8] = [0xFF, 0xFF, 0, 1, 0, 0, 0x03, 0xE8, 0, 0, 0, 1] + str("orders") + Self.hostileCount
        expectInvalid(ProduceRequest.self, produce, version: 3, mentioning: "2147483647")
        // Fetch v4 response: one partition whose AbortedTransactions count is 0x7fffffff.
        let fetch: [UInt8] =
            [0, 0, 0, 0] + [0, 0, 0, 1] + str("t") + [0, 0, 0, 1] + [0, 0, 0, 0, 0, 0]
            + [UInt8](repeating: 0, count: 16)
            + Self.hostileCount
        expectInvalid(FetchResponse.self, fetch, version: 4, mentioning: "2147483647")
        // Metadata v1 response: a partition whose ReplicaNodes count is 0x7fffffff.
        let metadata: [UInt8] =
            [0, 0, 0, 0] + [0, 0, 0, 0] + [0, 0, 0, 1] + [0, 0] + str("t") + [0] + [0, 0, 0, 1]
            + [0, 0, 0, 0, 0, 0, 0, 0, 0, 1] + Self.hostileCount + [UInt8](repeating: 0, count: 16)
        expectInvalid(MetadataResponse.self, metadata, version: 1, mentioning: "2147483647")
    }

    @Test("a string that is not UTF-8 is refused")
    func invalidUTF8_IsRefused() {
        expectInvalid(SaslHandshakeRequest.self, [0, 2, 0xC3, 0x28], version: 1)
    }

    @Test("a negative string length where a string is required is refused, not trapped on")
    func nullRequiredString_IsRefused() {
        expectInvalid(FindCoordinatorRequest.self, [0xFF, 0xFF, 0], version: 1)
    }

    @Test("random bytes never trap any decoder")
    func randomBytes_NeverTrap() {
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<300 {
            let length = Int(generator.next() % 64)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            for api in KafkaAPIKey.allCases {
                for version in api.supportedVersions {
                    decodeIgnoringErrors(MessageSamples.request(api, version: version), bytes, version: version)
                    decodeIgnoringErrors(MessageSamples.response(api, version: version), bytes, version: version)
                }
            }
        }
    }

    @Test("valid messages with one byte changed never trap any decoder")
    func mutatedMessages_NeverTrap() {
        var generator = SplitMix64(seed: 0xF00D)
        for (api, version) in apiVersionEnds {
            for sample in [
                MessageSamples.request(api, version: version), MessageSamples.response(api, version: version),
            ] {
                mutateAndDecode(sample, version: version, using: &generator)
            }
        }
    }

    private func mutateAndDecode<M: WireMessage>(_ sample: M, version: Int16, using generator: inout SplitMix64) {
        let bytes = sample.encoded(version: version)
        guard !bytes.isEmpty else { return }
        for _ in 0..<200 {
            var mutated = bytes
            let index = Int(generator.next() % UInt64(bytes.count))
            mutated[index] = UInt8(truncatingIfNeeded: generator.next())
            var reader = KafkaReader(mutated)
            _ = try? M.decode(&reader, version: version)
        }
    }

    private func decodeIgnoringErrors<M: WireMessage>(_ sample: M, _ bytes: [UInt8], version: Int16) {
        var reader = KafkaReader(bytes)
        _ = try? M.decode(&reader, version: version)
    }
}

/// A small seeded generator, so a failing random case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
