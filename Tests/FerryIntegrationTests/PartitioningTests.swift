import FerryAPITesting
import FerryBroker
import FerryJSON
import Testing

/// Partition choice (API.md "Produce"): explicit partition > Kafka's murmur2 of the key > sticky keyless.
struct PartitioningTests {
    /// Partitions Kafka's default partitioner picks for 7 partitions, from the murmur2 values in Kafka's own
    /// UtilsTest (`(murmur2(key) & 0x7fffffff) % 7`).
    static let kafkaChoices: [(key: String, partition: Int)] = [
        ("kafka", 3), ("foobar", 0), ("abc", 4), ("21", 3), ("a-little-bit-long-string", 1),
    ]

    @Test func keyedRecord_LandsOnKafkasMurmur2Partition() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("keys", partitions: 7)
            let keys = Self.kafkaChoices.map(\.key) + (0..<40).map { "key-\($0)" } + ["ü-unicode", ""]
            let records = keys.map { #"{"key":"\#($0)","value":1}"# }
            let produced = try await api.produce("keys", records: records)
            #expect(produced.offsets.count == keys.count)
            for (key, offset) in zip(keys, produced.offsets) {
                let expected = Murmur2.partition(forKey: Array(key.utf8), partitionCount: 7)
                #expect(offset["partition"].int == Int64(expected), "key '\(key)'")
            }
            for (key, partition) in Self.kafkaChoices {
                let index = try #require(keys.firstIndex(of: key))
                #expect(
                    produced.offsets[index]["partition"].int == Int64(partition), "Kafka puts '\(key)' on \(partition)")
            }
            // The spread is not degenerate: 45 keys over 7 partitions use more than one.
            #expect(Set(produced.offsets.compactMap { $0["partition"].int }).count > 1)
        }
    }

    @Test func sameKey_AlwaysLandsOnSamePartition_InEveryBodyForm() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("same", partitions: 5)
            let expected = Int64(Murmur2.partition(forKey: Array("user-42".utf8), partitionCount: 5))
            var partitions: [Int64?] = []
            for _ in 0..<5 {
                partitions += try await api.produce("same", records: [#"{"key":"user-42","value":1}"#]).offsets.map {
                    $0["partition"].int
                }
            }
            let raw = try await api.post(
                "/v1/topics/same/messages?key=user-42", body: Array("v".utf8), headers: [("Content-Type", "text/plain")]
            )
            partitions += raw.offsets.map { $0["partition"].int }
            let lines = try await api.post(
                "/v1/topics/same/messages?key=user-42", body: Array("1\n2\n".utf8),
                headers: [("Content-Type", "application/x-ndjson")])
            partitions += lines.offsets.map { $0["partition"].int }
            // key_base64 hashes the decoded bytes: "dXNlci00Mg==" is "user-42".
            partitions += try await api.produce("same", records: [#"{"key_base64":"dXNlci00Mg==","value":1}"#])
                .offsets.map { $0["partition"].int }
            #expect(partitions.count == 9)
            #expect(partitions.allSatisfy { $0 == expected }, "\(partitions) vs \(expected)")
        }
    }

    @Test func explicitPartition_WinsOverKey() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("explicit", partitions: 7)
            // Kafka puts "kafka" on 3; an explicit partition overrides the hash.
            let produced = try await api.produce("explicit", records: [#"{"key":"kafka","value":1,"partition":5}"#])
            #expect(produced.offsets.first?["partition"].int == 5)
            let raw = try await api.post(
                "/v1/topics/explicit/messages?key=kafka&partition=6", body: Array("v".utf8),
                headers: [("Content-Type", "text/plain")])
            #expect(raw.offsets.first?["partition"].int == 6)
        }
    }

    @Test func keylessRecordsOfOneRequest_ShareAPartition_AndRequestsRotate() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("sticky", partitions: 4)
            var perRequest: [Int64] = []
            for _ in 0..<8 {
                let produced = try await api.produce("sticky", records: Array(repeating: #"{"value":"x"}"#, count: 10))
                let partitions = Set(produced.offsets.compactMap { $0["partition"].int })
                #expect(partitions.count == 1, "one request's keyless records go to one partition: \(partitions)")
                perRequest.append(partitions.first ?? -1)
            }
            // Successive requests rotate: every window of 4 consecutive requests covers all 4 partitions.
            for start in 0...4 {
                #expect(Set(perRequest[start..<start + 4]) == [0, 1, 2, 3], "requests went to \(perRequest)")
            }
            let described = try await api.get("/v1/topics/sticky")
            #expect(described["partitions"]?.list?.map { $0["end_offset"].int } == [20, 20, 20, 20])
        }
    }

    @Test func keyedAndKeylessRecordsInOneRequest_EachFollowTheirRule() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("mixed", partitions: 7)
            let produced = try await api.produce(
                "mixed",
                records: [#"{"value":1}"#, #"{"key":"kafka","value":2}"#, #"{"value":3}"#, #"{"key":"abc","value":4}"#])
            let partitions = produced.offsets.map { $0["partition"].int }
            #expect(partitions[1] == 3)
            #expect(partitions[3] == 4)
            #expect(partitions[0] == partitions[2], "keyless records of one request share a partition")
        }
    }
}
