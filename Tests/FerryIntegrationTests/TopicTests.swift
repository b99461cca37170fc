import FerryAPI
import FerryAPITesting
import FerryBroker
import FerryHTTP
import FerryJSON
import FerryServer
import FerrySystem
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `POST/GET /v1/topics`, `GET/PATCH/DELETE /v1/topics/{topic}` and auto-creation (API.md "Topics").
struct TopicTests {
    static let configKeys = ["retention_ms", "retention_bytes", "segment_bytes", "max_message_bytes", "cleanup_policy"]

    @Test func create_Returns201WithDescription_AndEveryConfigDefault() async throws {
        try await withTestServer { _, api in
            let before = nowMilliseconds()
            let response = try await api.post("/v1/topics", json: #"{"name":"orders","partitions":3}"#)
            #expect(response.status == 201, "\(response.text)")
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            #expect(response["name"].str == "orders")
            #expect(response["partition_count"].int == 3)
            let partitions = try #require(response["partitions"].list)
            #expect(partitions.count == 3)
            for (index, p) in partitions.enumerated() {
                #expect(p["partition"].int == Int64(index))
                #expect(p["start_offset"].int == 0)
                #expect(p["end_offset"].int == 0)
                #expect(p["bytes"].int != nil)
                #expect(p["segments"].int != nil)
            }
            let config = try #require(response["config"])
            #expect(Set(config.keys) == Set(Self.configKeys), "\(config.keys)")
            #expect(config["retention_ms"].int == 604_800_000)
            #expect(config["retention_bytes"].int == -1)
            #expect(config["segment_bytes"].int == 134_217_728)
            #expect(config["max_message_bytes"].int == 1_048_576)
            #expect(config["cleanup_policy"].str == "delete")
            let created = try #require(response["created_at"].int)
            #expect(created >= before - 1000 && created <= nowMilliseconds() + 1000, "created_at \(created)")
            // The 201 body has the shape of GET /v1/topics/{topic}.
            let described = try await api.get("/v1/topics/orders")
            #expect(described.status == 200)
            #expect(described.json == response.json)
        }
    }

    @Test func create_DefaultsToOnePartition() async throws {
        try await withTestServer { _, api in
            let response = try await api.post("/v1/topics", json: #"{"name":"single"}"#)
            #expect(response.status == 201)
            #expect(response["partition_count"].int == 1)
            #expect(response["partitions"].list?.count == 1)
        }
    }

    @Test func create_AppliesConfig_AndShowsEveryKey() async throws {
        try await withTestServer { _, api in
            let response = try await api.post(
                "/v1/topics",
                json: #"{"name":"c","config":{"retention_ms":-1,"segment_bytes":1024,"max_message_bytes":2048}}"#)
            #expect(response.status == 201, "\(response.text)")
            let config = try #require(response["config"])
            #expect(Set(config.keys) == Set(Self.configKeys))
            #expect(config["retention_ms"].int == -1)
            #expect(config["segment_bytes"].int == 1024)
            #expect(config["max_message_bytes"].int == 2048)
            #expect(config["retention_bytes"].int == -1)
            #expect(config["cleanup_policy"].str == "delete")
        }
    }

    @Test(arguments: [
        "", ".", "..", "__internal", "__consumer_offsets", "has space", "slash/name", "ü", "star*",
        String(repeating: "a", count: 250),
    ])
    func create_Returns400InvalidTopicName(name: String) async throws {
        try await withTestServer { _, api in
            let response = try await api.post("/v1/topics", json: #"{"name":"\#(name)"}"#)
            expectProblem(response, 400, "invalid-topic-name")
        }
    }

    @Test func create_AcceptsEveryAllowedCharacter_AndLongestName() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("Az09._-")
            try await api.createTopic("_single_underscore")
            try await api.createTopic(String(repeating: "x", count: 249))
            let list = try await api.get("/v1/topics")
            #expect(list["topics"].list?.count == 3)
        }
    }

    @Test(arguments: ["0", "1025", "-1", "100000"])
    func create_Returns400InvalidPartitions_OutOfRange(partitions: String) async throws {
        try await withTestServer { _, api in
            let response = try await api.post("/v1/topics", json: #"{"name":"p","partitions":\#(partitions)}"#)
            expectProblem(response, 400, "invalid-partitions")
            #expect(try await api.get("/v1/topics/p").status == 404, "nothing may be created")
        }
    }

    @Test func create_Returns409TopicExists() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("dup", partitions: 2)
            let response = try await api.post("/v1/topics", json: #"{"name":"dup","partitions":5}"#)
            expectProblem(response, 409, "topic-exists")
            #expect(try await api.get("/v1/topics/dup")["partition_count"].int == 2)
        }
    }

    @Test(arguments: [
        #"{"bogus":1}"#, #"{"segment_bytes":100}"#, #"{"segment_bytes":1023}"#, #"{"cleanup_policy":"shred"}"#,
        #"{"retention_ms":"soon"}"#,
        #"{"max_message_bytes":1.5}"#, #"[1]"#,
    ])
    func create_Returns400InvalidConfig(config: String) async throws {
        try await withTestServer { _, api in
            let response = try await api.post("/v1/topics", json: #"{"name":"bad","config":\#(config)}"#)
            expectProblem(response, 400, "invalid-config")
            #expect(try await api.get("/v1/topics/bad").status == 404, "nothing may be created")
        }
    }

    @Test func list_IsSortedByCodePoint_WithCounts_AndHidesInternalTopics() async throws {
        try await withTestServer { _, api in
            for name in ["b", "B", "a", "_x", "0", "a.b"] { try await api.createTopic(name, partitions: 2) }
            try await api.produce("a", records: [#"{"value":1,"partition":0}"#, #"{"value":2,"partition":1}"#])
            try await api.produce("a", records: [#"{"value":"three","partition":1}"#])
            let response = try await api.get("/v1/topics")
            #expect(response.status == 200)
            let topics = try #require(response["topics"].list)
            #expect(topics.map { $0["name"].str ?? "" } == ["0", "B", "_x", "a", "a.b", "b"])
            for topic in topics {
                #expect(Set(topic.keys) == ["name", "partition_count", "messages", "bytes"])
                #expect(topic["partition_count"].int == 2)
            }
            let a = try #require(topics.first { $0["name"].str == "a" })
            #expect(a["messages"].int == 3)
            #expect((a["bytes"].int ?? 0) > 0)
            #expect(topics.first { $0["name"].str == "b" }?["messages"].int == 0)
        }
    }

    @Test func describe_ShowsOffsets_AfterProduce() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("d", partitions: 2)
            try await api.produce("d", records: Array(repeating: #"{"value":"x","partition":1}"#, count: 5))
            let response = try await api.get("/v1/topics/d")
            #expect(response.status == 200)
            let partitions = try #require(response["partitions"].list)
            #expect(partitions[0]["end_offset"].int == 0)
            #expect(partitions[1]["start_offset"].int == 0)
            #expect(partitions[1]["end_offset"].int == 5)
            #expect((partitions[1]["bytes"].int ?? 0) > 0)
            #expect((partitions[1]["segments"].int ?? 0) >= 1)
        }
    }

    @Test func describe_Returns404TopicNotFound() async throws {
        try await withTestServer { _, api in
            expectProblem(try await api.get("/v1/topics/missing"), 404, "topic-not-found")
        }
    }

    @Test func describe_DoesNotExposeInternalTopics() async throws {
        try await withTestServer { _, api in
            let response = try await api.get("/v1/topics/__ferry_groups")
            #expect(response.status == 404 || response.status == 400, "\(response.status) \(response.text)")
            #expect(
                ["urn:ferry:error:topic-not-found", "urn:ferry:error:invalid-topic-name"].contains(
                    response["type"].str ?? ""))
        }
    }

    @Test func patch_GrowsPartitions_AndChangesConfig() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("g", partitions: 1, config: #"{"max_message_bytes":5000}"#)
            try await api.produce("g", records: [#"{"value":1}"#])
            let response = try await api.patch(
                "/v1/topics/g", json: #"{"partitions":3,"config":{"retention_ms":1000}}"#)
            #expect(response.status == 200, "\(response.text)")
            #expect(response["partition_count"].int == 3)
            #expect(response["partitions"].list?.map { $0["partition"].int ?? -1 } == [0, 1, 2])
            #expect(response["partitions"]?[0]?["end_offset"].int == 1, "existing data stays")
            #expect(response["config"]?["retention_ms"].int == 1000)
            #expect(response["config"]?["max_message_bytes"].int == 5000, "keys not in the patch keep their value")
            #expect(response["config"]?["segment_bytes"].int == 134_217_728)
            // The new partitions are usable.
            try await api.produce("g", records: [#"{"value":2,"partition":2}"#])
            #expect(try await api.get("/v1/topics/g")["partitions"]?[2]?["end_offset"].int == 1)
            // Same count is not a shrink.
            #expect(try await api.patch("/v1/topics/g", json: #"{"partitions":3}"#).status == 200)
        }
    }

    @Test func patch_Returns400InvalidPartitions_WhenShrinking() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("s", partitions: 3)
            expectProblem(try await api.patch("/v1/topics/s", json: #"{"partitions":2}"#), 400, "invalid-partitions")
            expectProblem(try await api.patch("/v1/topics/s", json: #"{"partitions":1025}"#), 400, "invalid-partitions")
            #expect(try await api.get("/v1/topics/s")["partition_count"].int == 3)
        }
    }

    @Test func patch_Returns400InvalidConfig_AndChangesNothing() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("k")
            let response = try await api.patch(
                "/v1/topics/k", json: #"{"partitions":2,"config":{"retention_ms":5,"nope":1}}"#)
            expectProblem(response, 400, "invalid-config")
            let described = try await api.get("/v1/topics/k")
            #expect(described["partition_count"].int == 1)
            #expect(described["config"]?["retention_ms"].int == 604_800_000)
        }
    }

    @Test func patch_Returns404TopicNotFound() async throws {
        try await withTestServer { _, api in
            expectProblem(try await api.patch("/v1/topics/none", json: #"{"partitions":2}"#), 404, "topic-not-found")
        }
    }

    @Test func delete_Returns204_RemovesFiles_AndNameCanBeReused() async throws {
        try await withTestServer { server, api in
            try await api.createTopic("gone", partitions: 2)
            try await api.produce("gone", records: [#"{"value":1}"#, #"{"value":2}"#])
            let directory = server.directory.path + "/topics/gone"
            #expect(FileSystem.isDirectory(directory), "expected the topic's files under \(directory)")
            let response = try await api.delete("/v1/topics/gone")
            #expect(response.status == 204)
            #expect(response.body.isEmpty)
            #expect(!FileSystem.isDirectory(directory), "files must be gone")
            expectProblem(try await api.get("/v1/topics/gone"), 404, "topic-not-found")
            #expect(try await api.get("/v1/topics")["topics"].list?.isEmpty == true)
            expectProblem(try await api.get("/v1/topics/gone/partitions/0/messages"), 404, "topic-not-found")
            try await api.createTopic("gone")
            #expect(try await api.fetch("gone").messages.isEmpty, "a re-created topic starts empty")
        }
    }

    @Test func delete_Returns404TopicNotFound() async throws {
        try await withTestServer { _, api in
            expectProblem(try await api.delete("/v1/topics/never"), 404, "topic-not-found")
        }
    }

    @Test func produce_AutoCreatesTopic_WithOnePartitionAndDefaults() async throws {
        try await withTestServer { _, api in
            let produced = try await api.produce("auto", records: [#"{"value":1}"#])
            #expect(produced.offsets.first?["offset"].int == 0)
            let described = try await api.get("/v1/topics/auto")
            #expect(described.status == 200)
            #expect(described["partition_count"].int == 1)
            #expect(described["config"]?["retention_ms"].int == 604_800_000)
            #expect(described["config"]?["max_message_bytes"].int == 1_048_576)
        }
    }

    @Test func produce_Returns404TopicNotFound_WhenAutoCreateIsOff() async throws {
        try await withTestServer(configure: { $0.broker.autoCreateTopics = false }) { _, api in
            let response = try await api.post("/v1/topics/none/messages", json: #"{"records":[{"value":1}]}"#)
            expectProblem(response, 404, "topic-not-found")
            let raw = try await api.post(
                "/v1/topics/none/messages", body: Array("x".utf8), headers: [("Content-Type", "text/plain")])
            expectProblem(raw, 404, "topic-not-found")
            #expect(try await api.get("/v1/topics/none").status == 404)
        }
    }

    @Test func fetch_Returns404_ForMissingTopic_EvenWithAutoCreate() async throws {
        try await withTestServer { _, api in
            expectProblem(try await api.get("/v1/topics/nothing/partitions/0/messages"), 404, "topic-not-found")
            #expect(try await api.get("/v1/topics/nothing").status == 404, "a fetch must not create the topic")
        }
    }
}

/// Milliseconds since the Unix epoch (for checking server timestamps).
func nowMilliseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}
