import FerryAPI
import FerryAPITesting
import FerryBroker
import FerryJSON
import FerryKafkaListener
import FerryKafkaWire
import FerryLog
import FerryServer
import FerrySystem
import FerryTesting
import Synchronization
import Testing

/// A real FerryServer in this process (embedded storage in a temp dir, HTTP and Kafka listeners on ephemeral
/// ports), spoken to over raw TCP with frames from FerryKafkaWire, and through its HTTP API.
@Suite("Kafka listener, end to end")
struct KafkaListenerIntegrationTests {
    /// One record as a test produces or expects it.
    struct Record: Equatable {
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [Header] = []
        var timestamp: Int64 = 0
        var offset: Int64 = 0

        struct Header: Equatable {
            var name: [UInt8]
            var value: [UInt8]?
        }
    }

    /// Runs `body` against a server with the Kafka listener on; the second argument is the Kafka port.
    func withKafkaServer(
        configure: @escaping (inout FerryServer.Configuration) -> Void = { _ in },
        _ body: (TestServer, APIClient, Int) async throws -> Void
    ) async throws {
        try await withTestServer(
            .live,
            configure: {
                $0.kafka = KafkaListenerConfiguration(host: "127.0.0.1", port: 0)
                configure(&$0)
            }
        ) { server, api in
            let kafka = try #require(server.server.kafka)
            try await body(server, api, kafka.port)
        }
    }

    // MARK: Record sets

    /// An uncompressed record batch v2 holding `records` (offsets from 0, as a producer writes them).
    static func batch(_ records: [Record]) -> [UInt8] {
        var encoder = KafkaRecordBatchEncoder()
        for (index, record) in records.enumerated() {
            let key = record.key.map(Bytes.init)
            let value = record.value.map(Bytes.init)
            let headers = record.headers.map { (name: Bytes($0.name), value: Bytes($0.value ?? [])) }
            encoder.append(
                offset: Int64(index), timestamp: record.timestamp, key: key?.pointer, value: value?.pointer,
                headers: headers.map { (name: $0.name.pointer, value: $0.value.pointer) })
            withExtendedLifetime((key, value, headers)) {}
        }
        return encoder.finish()
    }

    /// Bytes at a stable address for as long as the value lives.
    final class Bytes {
        let storage: UnsafeMutableRawBufferPointer
        init(_ bytes: [UInt8]) {
            storage = .allocate(byteCount: max(1, bytes.count), alignment: 1)
            storage.copyBytes(from: bytes)
            pointer = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage)[0..<bytes.count])
        }
        let pointer: UnsafeRawBufferPointer
        deinit { storage.deallocate() }
    }

    /// The records of a fetched partition.
    static func records(_ partition: FetchResponse.Partition?) throws -> [Record] {
        guard let bytes = partition?.records, !bytes.isEmpty else { return [] }
        let batches = try KafkaRecordBatchDecoder.decode(bytes, maxDecompressedBytes: 1 << 24)
        return batches.flatMap { batch in
            batch.records.map { record in
                Record(
                    key: record.key.map { Array(batch.payload[$0]) },
                    value: record.value.map { Array(batch.payload[$0]) },
                    headers: record.headers.map {
                        .init(name: Array(batch.payload[$0.name]), value: $0.value.map { Array(batch.payload[$0]) })
                    }, timestamp: record.timestamp, offset: batch.baseOffset + Int64(record.offsetDelta))
            }
        }
    }

    static func produce(_ topic: String, partition: Int32 = 0, acks: Int16 = 1, _ records: [Record]) -> ProduceRequest {
        ProduceRequest(
            acks: acks, timeoutMs: 5_000,
            topics: [.init(name: topic, partitions: [.init(index: partition, records: batch(records))])])
    }

    static func fetch(_ topic: String, partition: Int32 = 0, offset: Int64, maxWaitMs: Int32 = 0, minBytes: Int32 = 0)
        -> FetchRequest
    {
        FetchRequest(
            maxWaitMs: maxWaitMs, minBytes: minBytes, maxBytes: 1 << 20,
            topics: [
                .init(
                    topic: topic,
                    partitions: [.init(partition: partition, fetchOffset: offset, partitionMaxBytes: 1 << 20)])
            ])
    }

    static func value(_ text: String) -> Record {
        Record(key: nil, value: Array(text.utf8), timestamp: WallClock.milliseconds())
    }

    static func partition(_ response: FetchResponse, _ topic: String) -> FetchResponse.Partition? {
        response.responses.first { $0.topic == topic }?.partitions.first
    }

    // MARK: ApiVersions

    @Test("ApiVersions v3 lists every API with its supported versions")
    func apiVersionsV3() async throws {
        try await withKafkaServer { _, _, port in
            let client = try KafkaWireClient(port: port)
            let response = try await client.call(
                ApiVersionsRequest(clientSoftwareName: "ferry-test", clientSoftwareVersion: "1.0"), version: 3,
                expecting: ApiVersionsResponse.self)
            #expect(response.errorCode == 0)
            let listed = Dictionary(
                uniqueKeysWithValues: response.apiKeys.map { ($0.apiKey, $0.minVersion...$0.maxVersion) })
            #expect(listed.count == KafkaAPIKey.allCases.count)
            for api in KafkaAPIKey.allCases {
                #expect(listed[api.rawValue] == api.supportedVersions, "\(api)")
            }
        }
    }

    @Test("an ApiVersions at version 99 is answered at v0 with UNSUPPORTED_VERSION and the list")
    func apiVersionsUnsupported() async throws {
        try await withKafkaServer { _, _, port in
            let client = try KafkaWireClient(port: port)
            let id = client.correlation()
            #expect(await client.send(KafkaWireClient.frame(18, version: 99, correlation: id) { _ in }))
            let response = try await client.response(ApiVersionsResponse.self, version: 0, correlation: id)
            #expect(response.errorCode == KafkaErrorCode.unsupportedVersion.rawValue)
            #expect(response.errorCode == 35)
            #expect(response.apiKeys.contains { $0.apiKey == 18 && $0.maxVersion == 3 })
            // The connection stays usable.
            let again = try await client.call(ApiVersionsRequest(), version: 2, expecting: ApiVersionsResponse.self)
            #expect(again.errorCode == 0)
        }
    }

    // MARK: Pipelining

    @Test("pipelined Metadata, Produce, Fetch, ApiVersions in one write are answered in order")
    func pipelined() async throws {
        try await withKafkaServer { _, api, port in
            try await api.createTopic("pipe")
            let client = try KafkaWireClient(port: port)
            let record = Record(key: Array("k".utf8), value: Array("hello".utf8), timestamp: WallClock.milliseconds())
            let ids = (0..<4).map { _ in client.correlation() }
            let bytes =
                KafkaWireClient.frame(MetadataRequest(topics: ["pipe"]), version: 1, correlation: ids[0])
                + KafkaWireClient.frame(Self.produce("pipe", [record]), version: 3, correlation: ids[1])
                + KafkaWireClient.frame(
                    Self.fetch("pipe", offset: 0, maxWaitMs: 5_000, minBytes: 1), version: 11, correlation: ids[2])
                + KafkaWireClient.frame(ApiVersionsRequest(), version: 2, correlation: ids[3])
            #expect(await client.send(bytes))
            let metadata = try await client.response(MetadataResponse.self, version: 1, correlation: ids[0])
            #expect(metadata.topics.map(\.name) == ["pipe"])
            #expect(metadata.topics.first?.errorCode == 0)
            #expect(metadata.topics.first?.partitions.count == 1)
            #expect(metadata.brokers.first?.port == Int32(port))
            let produced = try await client.response(ProduceResponse.self, version: 3, correlation: ids[1])
            #expect(produced.responses.first?.partitionResponses.first?.errorCode == 0)
            #expect(produced.responses.first?.partitionResponses.first?.baseOffset == 0)
            let fetched = try await client.response(FetchResponse.self, version: 11, correlation: ids[2])
            let partition = Self.partition(fetched, "pipe")
            #expect(partition?.errorCode == 0)
            #expect(partition?.highWatermark == 1)
            let records = try Self.records(partition)
            #expect(records.map(\.value) == [Array("hello".utf8)])
            #expect(records.map(\.key) == [Array("k".utf8)])
            let versions = try await client.response(ApiVersionsResponse.self, version: 2, correlation: ids[3])
            #expect(versions.errorCode == 0)
        }
    }

    @Test("with --fsync always, pipelined acks=all Produces are answered in order once the loop's sync covers them")
    func pipelinedDurableProduces() async throws {
        try await withTestServer(
            .live, flushPolicy: .always,
            configure: { $0.kafka = KafkaListenerConfiguration(host: "127.0.0.1", port: 0) }
        ) { server, api in
            let port = try #require(server.server.kafka).port
            try await api.createTopic("durable")
            let client = try KafkaWireClient(port: port)
            let ids = (0..<20).map { _ in client.correlation() }
            var bytes: [UInt8] = []
            for (number, id) in ids.enumerated() {
                bytes += KafkaWireClient.frame(
                    Self.produce("durable", acks: -1, [Self.value("m\(number)")]), version: 7, correlation: id)
            }
            #expect(await client.send(bytes))
            for (number, id) in ids.enumerated() {
                let produced = try await client.response(ProduceResponse.self, version: 7, correlation: id)
                #expect(produced.responses.first?.partitionResponses.first?.errorCode == 0)
                #expect(produced.responses.first?.partitionResponses.first?.baseOffset == Int64(number))
            }
            let metrics = try await api.get("/metrics").text
            let syncs = metrics.split(separator: "\n").first { $0.hasPrefix("ferry_fsync_duration_seconds_count ") }
            #expect((syncs.flatMap { Double($0.split(separator: " ")[1]) } ?? 0) >= 1, "the answers waited for syncs")
            let fetched = try await client.call(
                Self.fetch("durable", offset: 0), version: 11, expecting: FetchResponse.self)
            #expect(try Self.records(Self.partition(fetched, "durable")).count == 20)
        }
    }

    @Test("Produce with acks=0 gets no answer, the next request's answer still comes, and the records are stored")
    func acksZero() async throws {
        try await withKafkaServer { _, api, port in
            try await api.createTopic("fire")
            let client = try KafkaWireClient(port: port)
            let produceID = client.correlation()
            let versionsID = client.correlation()
            let bytes =
                KafkaWireClient.frame(
                    Self.produce("fire", acks: 0, [Self.value("a"), Self.value("b")]), version: 3,
                    correlation: produceID)
                + KafkaWireClient.frame(ApiVersionsRequest(), version: 1, correlation: versionsID)
            #expect(await client.send(bytes))
            // The first frame back answers the ApiVersions: the Produce got none.
            let versions = try await client.response(ApiVersionsResponse.self, version: 1, correlation: versionsID)
            #expect(versions.errorCode == 0)
            let fetched = try await client.call(
                Self.fetch("fire", offset: 0, maxWaitMs: 5_000, minBytes: 1), version: 11,
                expecting: FetchResponse.self)
            var values = try Self.records(Self.partition(fetched, "fire")).map(\.value)
            if values.count == 1 {
                // The append landed between two reads: fetch the rest.
                let more = try await client.call(
                    Self.fetch("fire", offset: 1, maxWaitMs: 5_000, minBytes: 1), version: 11,
                    expecting: FetchResponse.self)
                values += try Self.records(Self.partition(more, "fire")).map(\.value)
            }
            #expect(values == [Array("a".utf8), Array("b".utf8)])
        }
    }

    @Test("/metrics counts the Kafka door's connections, requests and refused connections")
    func listenerMetrics() async throws {
        try await withKafkaServer { _, api, port in
            let client = try KafkaWireClient(port: port)
            _ = try await client.call(ApiVersionsRequest(), version: 2, expecting: ApiVersionsResponse.self)
            let rude = try KafkaWireClient(port: port)
            #expect(await rude.send([0x7F, 0xFF, 0xFF, 0xFF]))
            #expect(await rude.waitForClose())
            let text = try await api.get("/metrics").text
            func value(_ name: String) -> Double? {
                text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
                    Double($0.split(separator: " ")[1])
                }
            }
            #expect((value("ferry_kafka_listener_requests_total") ?? 0) >= 1)
            #expect((value("ferry_kafka_listener_connections_accepted_total") ?? 0) >= 2)
            #expect((value("ferry_kafka_listener_refused_connections_total") ?? 0) >= 1)
            #expect((value("ferry_kafka_listener_open_connections") ?? 0) >= 1)
            #expect((value("ferry_kafka_listener_received_bytes_total") ?? 0) > 0)
        }
    }

    // MARK: Fetch

    @Test("a long-polling Fetch on an empty partition is answered when another connection produces")
    func longPollWokenByProduce() async throws {
        try await withKafkaServer { server, api, port in
            try await api.createTopic("lp")
            let kafka = try #require(server.server.kafka)
            // The fetch waits up to 10 minutes, the client's read at most 30 s: an answer means the append woke
            // it (no timing assertion needed).
            let consumer = try KafkaWireClient(port: port, receiveTimeoutSeconds: 30)
            let producer = try KafkaWireClient(port: port)
            // Both connections open and answered once, so the request counter below counts only the fetch.
            _ = try await consumer.call(ApiVersionsRequest(), version: 2, expecting: ApiVersionsResponse.self)
            _ = try await producer.call(ApiVersionsRequest(), version: 2, expecting: ApiVersionsResponse.self)
            let before = kafka.counters.requests.load(ordering: .relaxed)
            let fetchID = consumer.correlation()
            #expect(
                await consumer.send(
                    KafkaWireClient.frame(
                        Self.fetch("lp", offset: 0, maxWaitMs: 600_000, minBytes: 1), version: 11,
                        correlation: fetchID)))
            // The listener took the fetch (bounded: 2 s).
            for _ in 0..<2_000 where kafka.counters.requests.load(ordering: .relaxed) == before {
                try await Task.sleep(for: .milliseconds(1))
            }
            #expect(kafka.counters.requests.load(ordering: .relaxed) > before)
            let produced = try await producer.call(
                Self.produce("lp", [Self.value("wake up")]), version: 3, expecting: ProduceResponse.self)
            #expect(produced.responses.first?.partitionResponses.first?.errorCode == 0)
            let fetched = try await consumer.response(FetchResponse.self, version: 11, correlation: fetchID)
            #expect(try Self.records(Self.partition(fetched, "lp")).map(\.value) == [Array("wake up".utf8)])
        }
    }

    @Test("a Fetch with nothing arriving is answered empty at its deadline")
    func longPollDeadline() async throws {
        try await withKafkaServer { _, api, port in
            try await api.createTopic("quiet")
            let client = try KafkaWireClient(port: port)
            let started = MonotonicClock.nanoseconds()
            let fetched = try await client.call(
                Self.fetch("quiet", offset: 0, maxWaitMs: 300, minBytes: 1), version: 11, expecting: FetchResponse.self)
            let elapsedMs = (MonotonicClock.nanoseconds() - started) / 1_000_000
            #expect(Self.partition(fetched, "quiet")?.errorCode == 0)
            #expect(try Self.records(Self.partition(fetched, "quiet")).isEmpty)
            #expect(elapsedMs >= 250, "waited for data until about the deadline (\(elapsedMs) ms)")
        }
    }

    @Test("a Fetch past the end of the partition gets OFFSET_OUT_OF_RANGE for it")
    func fetchPastEnd() async throws {
        try await withKafkaServer { _, api, port in
            try await api.createTopic("oor", partitions: 2)
            let client = try KafkaWireClient(port: port)
            _ = try await client.call(
                Self.produce("oor", [Self.value("x")]), version: 3, expecting: ProduceResponse.self)
            let request = FetchRequest(
                maxWaitMs: 0, minBytes: 0,
                topics: [
                    .init(
                        topic: "oor",
                        partitions: [
                            .init(partition: 0, fetchOffset: 5, partitionMaxBytes: 1 << 20),
                            .init(partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 20),
                        ])
                ])
            let fetched = try await client.call(request, version: 11, expecting: FetchResponse.self)
            let partitions = fetched.responses.first?.partitions ?? []
            #expect(partitions.map(\.partitionIndex) == [0, 1])
            #expect(partitions.first?.errorCode == KafkaErrorCode.offsetOutOfRange.rawValue)
            #expect(partitions.last?.errorCode == 0)
            let unknown = try await client.call(
                Self.fetch("oor", partition: 7, offset: 0), version: 11, expecting: FetchResponse.self)
            #expect(Self.partition(unknown, "oor")?.errorCode == KafkaErrorCode.unknownTopicOrPartition.rawValue)
        }
    }

    // MARK: Hostile frames

    @Test(
        "a huge frame size, a garbage header or an unknown API closes that connection only",
        arguments: [
            ("size 0x7fffffff", [0x7F, 0xFF, 0xFF, 0xFF, 0, 18, 0, 0]),
            ("size 4", [0, 0, 0, 4, 0, 18, 0, 0]),
            ("negative size", [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]),
            // Header: api 18 v0, correlation 1, client id length 0x7fff in a 10-byte frame.
            ("client id overruns", [0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0x7F, 0xFF]),
            // Header of 8 bytes: no room for the client id length.
            ("header truncated", [0, 0, 0, 8, 0, 18, 0, 0, 0, 0, 0, 1]),
            // API key 99, v0, no client id.
            ("unknown API", [0, 0, 0, 10, 0, 99, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF]),
            // Metadata v1 whose topic array claims 0x7fffffff entries.
            ("hostile body", [0, 0, 0, 14, 0, 3, 0, 1, 0, 0, 0, 1, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF]),
        ] as [(String, [UInt8])])
    func hostileFrame_ClosesOnlyItsConnection(name: String, bytes: [UInt8]) async throws {
        try await withKafkaServer { server, _, port in
            let bystander = try KafkaWireClient(port: port)
            let victim = try KafkaWireClient(port: port)
            _ = try await bystander.call(ApiVersionsRequest(), version: 2, expecting: ApiVersionsResponse.self)
            _ = try await victim.call(ApiVersionsRequest(), version: 2, expecting: ApiVersionsResponse.self)
            await victim.send(bytes)
            #expect(await victim.waitForClose(), "\(name): the connection is closed")
            let after = try await bystander.call(ApiVersionsRequest(), version: 2, expecting: ApiVersionsResponse.self)
            #expect(after.errorCode == 0)
            let fresh = try KafkaWireClient(port: port)
            #expect(
                try await fresh.call(ApiVersionsRequest(), version: 0, expecting: ApiVersionsResponse.self).errorCode
                    == 0)
            #expect(try #require(server.server.kafka).counters.malformedFrames.load(ordering: .relaxed) >= 1)
        }
    }

    // MARK: Between the two doors

    @Test("a JSON value produced over HTTP is fetched over Kafka as its compact JSON text")
    func httpJSONFetchedOverKafka() async throws {
        try await withKafkaServer { _, api, port in
            try await api.createTopic("mixed")
            try await api.produce(
                "mixed",
                records: [#"{"key":"k1","value": { "a" : [ 1 , 2 ] ,  "b" : "x y", "n": 1.50 },"headers":{"h":"v"}}"#])
            let client = try KafkaWireClient(port: port)
            let fetched = try await client.call(
                Self.fetch("mixed", offset: 0), version: 11, expecting: FetchResponse.self)
            let records = try Self.records(Self.partition(fetched, "mixed"))
            #expect(records.count == 1)
            #expect(records.first?.value == Array(#"{"a":[1,2],"b":"x y","n":1.50}"#.utf8))
            #expect(records.first?.key == Array("k1".utf8))
            #expect(records.first?.headers == [.init(name: Array("h".utf8), value: Array("v".utf8))])
            #expect(records.first?.offset == 0)
        }
    }

    @Test("a record produced over Kafka reads over HTTP with the same key, value, headers and timestamp")
    func kafkaRecordReadOverHTTP() async throws {
        try await withKafkaServer { _, api, port in
            try await api.createTopic("k2h")
            let client = try KafkaWireClient(port: port)
            let timestamp = WallClock.milliseconds() - 1_234
            let record = Record(
                key: Array("order-7".utf8), value: Array("plain text ✓".utf8),
                headers: [
                    .init(name: Array("source".utf8), value: Array("kafka".utf8)),
                    .init(name: Array("n".utf8), value: Array("1".utf8)),
                ],
                timestamp: timestamp)
            let produced = try await client.call(
                Self.produce("k2h", [record]), version: 3, expecting: ProduceResponse.self)
            #expect(produced.responses.first?.partitionResponses.first?.errorCode == 0)
            let response = try await api.fetch("k2h")
            let message = try #require(response.messages.first)
            #expect(response.messages.count == 1)
            #expect(message["key"].str == "order-7")
            #expect(message["value"].str == "plain text ✓")
            #expect(message["headers"] == ["source": "kafka", "n": "1"])
            #expect(message["timestamp"].int == timestamp)
            #expect(message["offset"].int == 0)
        }
    }

    @Test("an OffsetCommit outside any generation is visible through the broker and GET /v1/groups/{g} with lag")
    func offsetCommitVisibleOverHTTP() async throws {
        try await withKafkaServer { server, api, port in
            try await api.createTopic("oc")
            let client = try KafkaWireClient(port: port)
            _ = try await client.call(
                Self.produce("oc", [Self.value("1"), Self.value("2"), Self.value("3")]), version: 3,
                expecting: ProduceResponse.self)
            let commit = OffsetCommitRequest(
                groupID: "billing", generationIDOrMemberEpoch: -1, memberID: "",
                topics: [.init(name: "oc", partitions: [.init(partitionIndex: 0, committedOffset: 1)])])
            let committed = try await client.call(commit, version: 2, expecting: OffsetCommitResponse.self)
            #expect(committed.topics.first?.partitions.first?.errorCode == 0)

            let description = try server.server.broker.shard(for: .group("billing")).groups.describe(group: "billing")
            let offset = try #require(
                description.offsets.first { $0.partition == TopicPartition(topic: "oc", partition: 0) })
            #expect(offset.committedOffset == 1)
            #expect(offset.endOffset == 3)
            #expect(offset.lag == 2)

            let group = try await api.get("/v1/groups/billing")
            #expect(group.status == 200, "\(group.text)")
            let httpOffset = try #require(group["offsets"].list?.first)
            #expect(httpOffset["topic"].str == "oc")
            #expect(httpOffset["committed_offset"].int == 1)
            #expect(httpOffset["lag"].int == 2)

            let fetched = try await client.call(
                OffsetFetchRequest(groupID: "billing", topics: [.init(name: "oc", partitionIndexes: [0])]), version: 1,
                expecting: OffsetFetchResponse.self)
            #expect(fetched.topics.first?.partitions.first?.committedOffset == 1)
        }
    }

    @Test("Produce to __ferry_groups is TOPIC_AUTHORIZATION_FAILED")
    func produceToInternalTopic() async throws {
        try await withKafkaServer { _, _, port in
            let client = try KafkaWireClient(port: port)
            let response = try await client.call(
                Self.produce(Broker.groupStateTopic, [Self.value("{}")]), version: 3, expecting: ProduceResponse.self)
            #expect(response.responses.first?.name == "__ferry_groups")
            #expect(
                response.responses.first?.partitionResponses.first?.errorCode
                    == KafkaErrorCode.topicAuthorizationFailed.rawValue)
        }
    }

    // MARK: SASL over the access tokens

    static let tokens = #"""
        {"tokens": [
          {"name": "root", "token": "root-token", "rights": [{"right": "admin", "topics": "*"}]},
          {"name": "reader", "token": "r-token", "rights": [{"right": "consume", "topics": "secure"}]}
        ]}
        """#

    func withSecureServer(_ body: (TestServer, APIClient, Int) async throws -> Void) async throws {
        let access = AccessControl(tokens: try AccessTokens.parse(Array(Self.tokens.utf8), path: "tokens.json"))
        try await withKafkaServer(configure: { $0.accessControl = access }) { server, api, port in
            let created = try await api.post(
                "/v1/topics", json: #"{"name":"secure"}"#,
                headers: [(name: "Authorization", value: "Bearer root-token")])
            #expect(created.status == 201, "\(created.text)")
            try await body(server, api, port)
        }
    }

    /// SaslHandshake(PLAIN) then SaslAuthenticate with `user` / `password`; returns the authenticate answer.
    func authenticate(_ client: KafkaWireClient, user: String, password: String) async throws
        -> SaslAuthenticateResponse
    {
        let handshake = try await client.call(
            SaslHandshakeRequest(mechanism: "PLAIN"), version: 1, expecting: SaslHandshakeResponse.self)
        #expect(handshake.errorCode == 0)
        #expect(handshake.mechanisms == ["PLAIN"])
        return try await client.call(
            SaslAuthenticateRequest(authBytes: [0] + Array(user.utf8) + [0] + Array(password.utf8)), version: 1,
            expecting: SaslAuthenticateResponse.self)
    }

    @Test("with access control, a Metadata before SASL closes the connection")
    func sasl_RequiredFirst() async throws {
        try await withSecureServer { _, _, port in
            let client = try KafkaWireClient(port: port)
            // ApiVersions is allowed before authenticating.
            #expect(
                try await client.call(ApiVersionsRequest(), version: 2, expecting: ApiVersionsResponse.self).errorCode
                    == 0)
            await client.send(
                KafkaWireClient.frame(
                    MetadataRequest(topics: ["secure"]), version: 1, correlation: client.correlation()))
            #expect(await client.waitForClose())
        }
    }

    @Test("SASL/PLAIN with the right token name and token succeeds, then Metadata works")
    func sasl_Succeeds() async throws {
        try await withSecureServer { _, _, port in
            let client = try KafkaWireClient(port: port)
            let answer = try await authenticate(client, user: "root", password: "root-token")
            #expect(answer.errorCode == 0)
            let metadata = try await client.call(
                MetadataRequest(topics: ["secure"]), version: 1, expecting: MetadataResponse.self)
            #expect(metadata.topics.first?.name == "secure")
            #expect(metadata.topics.first?.errorCode == 0)
            #expect(metadata.topics.first?.partitions.count == 1)
            let produced = try await client.call(
                Self.produce("secure", [Self.value("ok")]), version: 3, expecting: ProduceResponse.self)
            #expect(produced.responses.first?.partitionResponses.first?.errorCode == 0)
        }
    }

    @Test(
        "a wrong password gets SASL_AUTHENTICATION_FAILED and the connection is closed",
        arguments: [
            ("root", "wrong"), ("reader", "root-token"), ("nobody", "r-token"),
        ])
    func sasl_WrongPassword(user: String, password: String) async throws {
        try await withSecureServer { _, _, port in
            let client = try KafkaWireClient(port: port)
            let answer = try await authenticate(client, user: user, password: password)
            #expect(answer.errorCode == KafkaErrorCode.saslAuthenticationFailed.rawValue)
            #expect(answer.errorCode == 58)
            #expect(await client.waitForClose())
        }
    }

    @Test("a token with consume rights only gets TOPIC_AUTHORIZATION_FAILED on produce, and may fetch")
    func sasl_ConsumeOnly() async throws {
        try await withSecureServer { _, _, port in
            let client = try KafkaWireClient(port: port)
            #expect(try await authenticate(client, user: "reader", password: "r-token").errorCode == 0)
            let produced = try await client.call(
                Self.produce("secure", [Self.value("no")]), version: 3, expecting: ProduceResponse.self)
            #expect(
                produced.responses.first?.partitionResponses.first?.errorCode
                    == KafkaErrorCode.topicAuthorizationFailed.rawValue)
            let fetched = try await client.call(
                Self.fetch("secure", offset: 0), version: 11, expecting: FetchResponse.self)
            #expect(Self.partition(fetched, "secure")?.errorCode == 0)
            #expect(try Self.records(Self.partition(fetched, "secure")).isEmpty)
        }
    }
}
