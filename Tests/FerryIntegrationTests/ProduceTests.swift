import FerryAPI
import FerryAPITesting
import FerryBroker
import FerryHTTP
import FerryJSON
import FerryLog
import FerryServer
import Testing

/// `POST /v1/topics/{topic}/messages` in its three body forms, the message representation on fetch, atomic
/// batches, partition errors and size limits (API.md "Produce", "Message representation").
struct ProduceTests {
    @Test func jsonRecords_ReturnOffsetsInOrder_AndComeBackAsSent() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("orders", partitions: 2)
            let before = nowMilliseconds()
            let produced = try await api.produce(
                "orders",
                records: [
                    #"{"key":"customer-7","value":{"id":1,"total":9.5},"headers":{"source":"web"},"partition":1}"#,
                    #"{"value":[1,"two",null,true],"partition":1}"#,
                    #"{"value":"just a string","partition":0}"#,
                ])
            #expect(Set(produced.json?.keys ?? []) == ["offsets"])
            let offsets = produced.offsets
            #expect(offsets.count == 3)
            #expect(offsets.map { $0["partition"].int } == [1, 1, 0])
            #expect(offsets.map { $0["offset"].int } == [0, 1, 0])
            for offset in offsets {
                let timestamp = try #require(offset["timestamp"].int)
                #expect(timestamp >= before - 1000 && timestamp <= nowMilliseconds() + 1000)
            }
            let fetched = try await api.fetch("orders", partition: 1)
            #expect(fetched.messages.count == 2)
            let first = try #require(fetched.messages.first)
            #expect(Set(first.keys) == ["topic", "partition", "offset", "timestamp", "key", "value", "headers"])
            #expect(first["topic"].str == "orders")
            #expect(first["partition"].int == 1)
            #expect(first["offset"].int == 0)
            #expect(first["timestamp"].int == offsets[0]["timestamp"].int)
            #expect(first["key"].str == "customer-7")
            #expect(first["value"] == ["id": 1, "total": .number(try JSONNumber(validating: "9.5"))])
            #expect(first["headers"] == ["source": "web"])
            let second = fetched.messages[1]
            #expect(second["key"] == .null, "no key → key null")
            #expect(second["headers"] == .object(JSONObject()), "no headers → {}")
            #expect(second["value"] == [1, "two", nil, true])
            #expect(try await api.fetch("orders", partition: 0).messages.first?["value"] == "just a string")
        }
    }

    @Test func jsonValue_KeepsNumbersExactlyAsWritten() async throws {
        try await withTestServer { _, api in
            try await api.produce("n", records: [#"{"value":{"big":12345678901234567890,"dec":1.10,"e":-0.5e+10}}"#])
            try await api.produce("n", records: [#"{"value":12345678901234567890}"#, #"{"value":1.10}"#])
            let fetched = try await api.fetch("n")
            #expect(fetched.messages.count == 3)
            let value = try #require(fetched.messages.first?["value"])
            #expect(value["big"]?.numberText == "12345678901234567890")
            #expect(value["dec"]?.numberText == "1.10")
            #expect(value["e"]?.numberText == "-0.5e+10")
            #expect(fetched.messages[1]["value"]?.numberText == "12345678901234567890")
            #expect(fetched.messages[2]["value"]?.numberText == "1.10")
            // The wire text itself carries the digits (not only our parser's view of them).
            #expect(fetched.text.contains("12345678901234567890"))
            #expect(fetched.text.contains("1.10"))
        }
    }

    @Test func jsonValue_IsStoredAsCompactJSONText() async throws {
        try await withTestServer { _, api in
            try await api.produce("compact", records: [#"{"value": { "a" : [ 1 , 2 ] ,  "b" : "x y" } }"#])
            let fetched = try await api.fetch("compact", query: "encoding=base64")
            // base64 of the compact text {"a":[1,2],"b":"x y"}
            #expect(fetched.messages.first?["value_base64"].str == "eyJhIjpbMSwyXSwiYiI6InggeSJ9")
        }
    }

    @Test func binaryValuesAndKeys_ComeBackAsBase64() async throws {
        try await withTestServer { _, api in
            try await api.produce(
                "bin",
                records: [
                    #"{"key_base64":"wyg=","value_base64":"/wD+gA=="}"#,
                    #"{"key_base64":"azE=","value_base64":"aGVsbG8="}"#,
                ])
            let messages = try await api.fetch("bin").messages
            #expect(messages.count == 2)
            let binary = messages[0]
            #expect(binary["value"] == .null)
            #expect(binary["value_base64"].str == "/wD+gA==")
            #expect(binary["key"] == .null)
            #expect(binary["key_base64"].str == "wyg=")
            // Valid UTF-8 raw bytes come back as strings, without *_base64.
            let text = messages[1]
            #expect(text["value"] == "hello")
            #expect(text["key"] == "k1")
            #expect(!text.keys.contains("value_base64"))
            #expect(!text.keys.contains("key_base64"))
        }
    }

    @Test func tombstone_ComesBackAsNullWithoutBase64() async throws {
        try await withTestServer { _, api in
            try await api.produce("tomb", records: [#"{"key":"k","value":null}"#])
            let message = try #require(try await api.fetch("tomb").messages.first)
            #expect(message["value"] == .null)
            #expect(message["key"] == "k")
            #expect(!message.keys.contains("value_base64"))
        }
    }

    @Test func encodingBase64_ReturnsStoredBytesForEveryMessage() async throws {
        try await withTestServer { _, api in
            try await api.produce(
                "enc",
                records: [#"{"key":"k1","value":{"a":1}}"#, #"{"value":"text"}"#, #"{"value_base64":"/wD+gA=="}"#])
            let messages = try await api.fetch("enc", query: "encoding=base64").messages
            #expect(messages.count == 3)
            #expect(messages[0]["value_base64"].str == "eyJhIjoxfQ==")
            #expect(messages[0]["key_base64"].str == "azE=")
            #expect(messages[1]["value_base64"].str == "InRleHQi", "a JSON string's stored bytes include its quotes")
            #expect(messages[2]["value_base64"].str == "/wD+gA==")
            for message in messages {
                #expect(!message.keys.contains("value"), "value must be replaced: \(message.compactString)")
                #expect(!message.keys.contains("key") || message["key"] == .null)
            }
            expectProblem(
                try await api.get("/v1/topics/enc/partitions/0/messages?encoding=hex"), 400, "invalid-parameter")
        }
    }

    @Test func recordTimestampAndHeaders_AreKept() async throws {
        try await withTestServer { _, api in
            let produced = try await api.produce(
                "ts", records: [#"{"value":1,"timestamp":1764000000000,"headers":{"a":"1","b":"two words"}}"#])
            #expect(produced.offsets.first?["timestamp"].int == 1_764_000_000_000)
            let message = try #require(try await api.fetch("ts").messages.first)
            #expect(message["timestamp"].int == 1_764_000_000_000)
            #expect(message["headers"] == ["a": "1", "b": "two words"])
        }
    }

    @Test func ndjson_StoresEachNonEmptyLine_WithQueryKeyAndPartition() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("nd", partitions: 3)
            let body = "{\"a\":1}\n\n[1,2]\r\n\"s\"\n12345678901234567890\nnull\n"
            let response = try await api.post(
                "/v1/topics/nd/messages?key=user-1&partition=2", body: Array(body.utf8),
                headers: [("Content-Type", "application/x-ndjson")])
            #expect(response.status == 200, "\(response.text)")
            #expect(response.offsets.map { $0["partition"].int } == [2, 2, 2, 2, 2])
            #expect(response.offsets.map { $0["offset"].int } == [0, 1, 2, 3, 4])
            let messages = try await api.fetch("nd", partition: 2).messages
            #expect(
                messages.map { $0["value"] }
                    == [["a": 1], [1, 2], "s", .number(try JSONNumber(validating: "12345678901234567890")), .null])
            #expect(!(messages.last?.keys.contains("value_base64") ?? true), "a null line is a tombstone")
            #expect(messages.allSatisfy { $0["key"] == "user-1" })
        }
    }

    @Test func ndjson_WithBadLine_Returns400InvalidRecord_AndStoresNothing() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("ndbad")
            let body = "{\"ok\":1}\n\n{\"ok\":2}\nnot json\n{\"ok\":3}\n"
            let response = try await api.post(
                "/v1/topics/ndbad/messages", body: Array(body.utf8), headers: [("Content-Type", "application/x-ndjson")]
            )
            expectProblem(response, 400, "invalid-record")
            expectNamesIndex(response, 2)
            #expect(try await api.fetch("ndbad").messages.isEmpty)
            #expect(try await api.get("/v1/topics/ndbad")["partitions"]?[0]?["end_offset"].int == 0)
        }
    }

    @Test func rawBody_IsOneMessage_UTF8AsString_OtherwiseBase64() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("raw", partitions: 2)
            let text = try await api.post(
                "/v1/topics/raw/messages?key=k1&partition=1", body: Array("hello\nworld\n".utf8),
                headers: [("Content-Type", "text/plain")])
            #expect(text.status == 200, "\(text.text)")
            #expect(text.offsets.count == 1)
            #expect(text.offsets.first?["partition"].int == 1)
            let binary = try await api.post(
                "/v1/topics/raw/messages?partition=1", body: [0xFF, 0x00, 0xFE, 0x80],
                headers: [("Content-Type", "application/octet-stream")])
            #expect(binary.status == 200, "\(binary.text)")
            let jsonLooking = try await api.post(
                "/v1/topics/raw/messages?partition=1", body: Array(#"{"a":1}"#.utf8),
                headers: [("Content-Type", "text/plain")])
            #expect(jsonLooking.status == 200)
            let messages = try await api.fetch("raw", partition: 1).messages
            #expect(messages.count == 3)
            #expect(messages[0]["value"] == "hello\nworld\n")
            #expect(messages[0]["key"] == "k1")
            #expect(messages[1]["value"] == .null)
            #expect(messages[1]["value_base64"].str == "/wD+gA==")
            #expect(
                messages[2]["value"] == #"{"a":1}"#, "raw bytes come back as a string even when they look like JSON")
        }
    }

    @Test func rawSplitLines_StoresEachNonEmptyLine() async throws {
        try await withTestServer { _, api in
            let response = try await api.post(
                "/v1/topics/lines/messages?split=lines&key=kk", body: Array("a\nb\r\n\n\r\nc d\n".utf8),
                headers: [("Content-Type", "text/plain")])
            #expect(response.status == 200, "\(response.text)")
            #expect(response.offsets.count == 3)
            let messages = try await api.fetch("lines").messages
            #expect(messages.map { $0["value"] } == ["a", "b", "c d"])
            #expect(messages.allSatisfy { $0["key"] == "kk" })
            let noNewline = try await api.post(
                "/v1/topics/lines/messages?split=lines", body: Array("x\ny".utf8),
                headers: [("Content-Type", "text/plain")])
            #expect(noNewline.offsets.count == 2)
        }
    }

    @Test func batchWithOneBadRecord_Returns400NamingIndex_AndStoresNothing() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("atomic", partitions: 2)
            let bad: [(record: String, index: Int)] = [
                (#"{"key":"k"}"#, 3),  // no value
                (#"{"value":1,"value_base64":"AA=="}"#, 2),  // both values
                (#"{"value":1,"key":"a","key_base64":"AA=="}"#, 4),  // both keys
                (#"{"value_base64":"***"}"#, 1),  // not base64
                (#"{"value":1,"headers":{"h":1}}"#, 2),  // header value not a string
                (#"{"value":1,"key":7}"#, 3),  // key not a string
                (#""not an object""#, 2),
            ]
            for (record, index) in bad {
                var records = Array(repeating: #"{"value":"fine","partition":0}"#, count: 5)
                records[index] = record
                let response = try await api.post(
                    "/v1/topics/atomic/messages", json: #"{"records":[\#(records.joined(separator: ","))]}"#)
                expectProblem(response, 400, "invalid-record")
                expectNamesIndex(response, index)
            }
            let described = try await api.get("/v1/topics/atomic")
            #expect(described["partitions"]?.list?.map { $0["end_offset"].int } == [0, 0], "nothing may be stored")
        }
    }

    @Test func recordCount_OutOfRange_Returns400() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("count")
            let empty = try await api.post("/v1/topics/count/messages", json: #"{"records":[]}"#)
            #expect(empty.status == 400)
            #expect(empty.header("Content-Type")?.hasPrefix("application/problem+json") == true)
            let tooMany = Array(repeating: #"{"value":1}"#, count: 10_001).joined(separator: ",")
            let over = try await api.post("/v1/topics/count/messages", json: #"{"records":[\#(tooMany)]}"#)
            #expect(over.status == 400, "\(over.text)")
            let max = Array(repeating: #"{"value":1}"#, count: 10_000).joined(separator: ",")
            let ok = try await api.post("/v1/topics/count/messages", json: #"{"records":[\#(max)]}"#)
            #expect(ok.status == 200)
            #expect(ok.offsets.count == 10_000)
            #expect(try await api.get("/v1/topics/count")["partitions"]?[0]?["end_offset"].int == 10_000)
        }
    }

    @Test func recordForMissingPartition_Returns400InvalidPartitions_AndStoresNothing() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("parts", partitions: 2)
            let response = try await api.post(
                "/v1/topics/parts/messages",
                json: #"{"records":[{"value":1,"partition":0},{"value":2,"partition":1},{"value":3,"partition":2}]}"#)
            expectProblem(response, 400, "invalid-partitions")
            let raw = try await api.post(
                "/v1/topics/parts/messages?partition=9", body: Array("x".utf8),
                headers: [("Content-Type", "text/plain")])
            expectProblem(raw, 400, "invalid-partitions")
            let described = try await api.get("/v1/topics/parts")
            #expect(described["partitions"]?.list?.map { $0["end_offset"].int } == [0, 0])
        }
    }

    @Test func messageOverMaxMessageBytes_Returns413_AndStoresNothing() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("small", config: #"{"max_message_bytes":1024}"#)
            let big = String(repeating: "x", count: 2000)
            let response = try await api.post(
                "/v1/topics/small/messages", json: #"{"records":[{"value":"ok"},{"value":"\#(big)"}]}"#)
            expectProblem(response, 413, "message-too-large")
            let raw = try await api.post(
                "/v1/topics/small/messages", body: Array(big.utf8), headers: [("Content-Type", "text/plain")])
            expectProblem(raw, 413, "message-too-large")
            #expect(try await api.fetch("small").messages.isEmpty)
            // Just under the limit is fine.
            let fits = try await api.post(
                "/v1/topics/small/messages", body: Array(String(repeating: "y", count: 900).utf8),
                headers: [("Content-Type", "text/plain")])
            #expect(fits.status == 200, "\(fits.text)")
        }
    }

    @Test func bodyOverMaxBodyBytes_Returns413BodyTooLarge() async throws {
        try await withTestServer(configure: { $0.http.maxBodyBytes = 1000 }) { _, api in
            let response = try await api.post(
                "/v1/topics/limit/messages", body: Array(repeating: 0x41, count: 5000),
                headers: [("Content-Type", "text/plain")])
            expectProblem(response, 413, "body-too-large")
            #expect(try await api.get("/v1/topics/limit").status == 404, "nothing may be created or stored")
        }
    }

    @Test func fsyncAlways_ConcurrentProducers_AllAcknowledged_WithDenseUniqueOffsets() async throws {
        try await withTestServer(flushPolicy: .always) { _, api in
            try await api.createTopic("durable", partitions: 2)
            let offsets = try await withThrowingTaskGroup(of: [JSONValue].self) { group in
                for producer in 0..<32 {
                    group.addTask {
                        let records = (0..<5).map { #"{"value":"p\#(producer)-\#($0)","partition":\#(producer % 2)}"# }
                        let response = try await api.post(
                            "/v1/topics/durable/messages", json: #"{"records":[\#(records.joined(separator: ","))]}"#)
                        #expect(response.status == 200, "\(response.text)")
                        return response.offsets
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(offsets.count == 160)
            for partition in 0..<2 {
                let mine = offsets.filter { $0["partition"].int == Int64(partition) }.compactMap { $0["offset"].int }
                    .sorted()
                #expect(mine == (0..<80).map { Int64($0) }, "partition \(partition): offsets must be dense and unique")
            }
            // Each request's records are contiguous (one atomic batch).
            let fetched = try await api.fetch("durable", query: "limit=100")
            let values = fetched.messages.compactMap { $0["value"].str }
            #expect(values.count == 80)
            for start in stride(from: 0, to: values.count, by: 5) {
                let producer = values[start].split(separator: "-").first ?? ""
                #expect(
                    values[start..<start + 5].allSatisfy { $0.hasPrefix(producer + "-") },
                    "\(values[start..<start + 5])")
            }
        }
    }

    @Test(arguments: ["abc", "-1", "1.0", "99999999999999999999", ""])
    func produce_Returns400InvalidParameter_ForBadPartitionQuery(partition: String) async throws {
        try await withTestServer { _, api in
            try await api.createTopic("q", partitions: 2)
            let response = try await api.post(
                "/v1/topics/q/messages?partition=\(partition)", body: Array("x".utf8),
                headers: [("Content-Type", "text/plain")])
            expectProblem(response, 400, "invalid-parameter")
            #expect(response["detail"].str?.contains("partition") == true, "\(response.text)")
            #expect(try await api.fetch("q").messages.isEmpty)
        }
    }

    @Test func produce_Returns400InvalidTopicName() async throws {
        try await withTestServer { _, api in
            expectProblem(
                try await api.post("/v1/topics/__mine/messages", json: #"{"records":[{"value":1}]}"#), 400,
                "invalid-topic-name")
        }
    }
}

/// The problem names the failing record's index (API.md: "400 invalid-record naming its index").
func expectNamesIndex(_ response: APIResponse, _ index: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    let detail = response["detail"].str ?? ""
    let member = response["index"].int
    #expect(
        member == Int64(index) || (member == nil && detail.contains("\(index)")),
        "problem should name index \(index): \(response.text)", sourceLocation: sourceLocation)
}
