import FerryAPITesting
import FerryJSON
import Testing

/// The `ferry` client commands, run as the real executable against a live in-process server.
@Suite(.serialized) struct CLITests {
    /// `ferry <arguments> --server <server>`.
    func ferry(_ server: TestServer, _ arguments: [String], input: String = "") async throws -> CLIRunner.Result {
        try await CLIRunner.run(arguments + ["--server", "http://127.0.0.1:\(server.port)"], input: input)
    }

    @Test func produceFromStdin_ThenConsumeAsValuesAndJSON() async throws {
        try await withTestServer { server, _ in
            let created = try await ferry(server, ["topics", "create", "cli-orders", "--partitions", "1"])
            #expect(created.exitCode == 0, "\(created)")
            let produced = try await ferry(server, ["produce", "cli-orders"], input: "first\nsecond\n{\"n\": 3}\n")
            #expect(produced.exitCode == 0, "\(produced)")
            #expect(produced.standardError.contains("sent 3 messages"))

            let values = try await ferry(server, ["consume", "cli-orders", "--format", "value"])
            #expect(values.exitCode == 0, "\(values)")
            #expect(values.lines == ["first", "second", "{\"n\": 3}"])

            let json = try await ferry(server, ["consume", "cli-orders", "--format", "json", "--offset", "1"])
            #expect(json.exitCode == 0, "\(json)")
            let messages = try json.lines.map { try JSONValue.parse(Array($0.utf8)) }
            #expect(messages.map { $0["offset"].int } == [1, 2])
            #expect(messages.map { $0["value"].str } == ["second", "{\"n\": 3}"])
            #expect(messages.allSatisfy { $0["topic"].str == "cli-orders" && $0["partition"].int == 0 })
        }
    }

    @Test func produceNDJSONWithKey_IsConsumedAsJSONValues() async throws {
        try await withTestServer { server, _ in
            let produced = try await ferry(
                server, ["produce", "cli-ndjson", "--ndjson", "--key", "k1", "--json"], input: "{\"a\":1}\n[2]\n")
            #expect(produced.exitCode == 0 && produced.lines == [#"{"messages":2}"#], "\(produced)")
            let json = try await ferry(server, ["consume", "cli-ndjson"])
            let messages = try json.lines.map { try JSONValue.parse(Array($0.utf8)) }
            #expect(messages.map { $0["value"]?.compactString } == [#"{"a":1}"#, "[2]"])
            #expect(messages.allSatisfy { $0["key"].str == "k1" })
        }
    }

    @Test func groupConsume_ThenGroupsListAndDescribeShowItsOffsets() async throws {
        try await withTestServer { server, _ in
            _ = try await ferry(server, ["topics", "create", "cli-events", "--partitions", "2"])
            let produced = try await ferry(server, ["produce", "cli-events"], input: "a\nb\nc\nd\n")
            #expect(produced.exitCode == 0, "\(produced)")
            let consumed = try await ferry(server, ["consume", "cli-events", "--group", "cli-g", "--format", "value"])
            #expect(consumed.exitCode == 0, "\(consumed)")
            #expect(consumed.lines.sorted() == ["a", "b", "c", "d"])

            let list = try await ferry(server, ["groups", "list"])
            #expect(list.exitCode == 0 && list.lines.first?.hasPrefix("GROUP") == true, "\(list)")
            #expect(list.lines.contains { $0.hasPrefix("cli-g ") })

            let describe = try await ferry(server, ["groups", "describe", "cli-g", "--json"])
            #expect(describe.exitCode == 0, "\(describe)")
            let group = try JSONValue.parse(Array(describe.standardOutput.utf8))
            let offsets = group["offsets"].list ?? []
            #expect(offsets.count == 2)
            #expect(offsets.allSatisfy { $0["lag"].int == 0 && $0["topic"].str == "cli-events" })
            let table = try await ferry(server, ["groups", "describe", "cli-g"])
            #expect(table.standardOutput.contains("TOPIC") && table.standardOutput.contains("cli-events"))
        }
    }

    @Test func topicsCreateListDescribeDelete() async throws {
        try await withTestServer { server, _ in
            let created = try await ferry(
                server,
                ["topics", "create", "cli-t", "--partitions", "3", "--config", "retention_ms=3600000", "--json"])
            #expect(created.exitCode == 0, "\(created)")
            #expect(try JSONValue.parse(Array(created.standardOutput.utf8))["partition_count"].int == 3)

            let list = try await ferry(server, ["topics", "list"])
            #expect(list.lines.first?.hasPrefix("NAME") == true && list.lines.contains { $0.hasPrefix("cli-t ") })

            let describe = try await ferry(server, ["topics", "describe", "cli-t"])
            #expect(describe.exitCode == 0, "\(describe)")
            #expect(describe.lines.filter { $0.first?.isNumber == true }.count == 3)  // one row per partition
            #expect(describe.standardOutput.contains("3600000"))

            let deleted = try await ferry(server, ["topics", "delete", "cli-t"])
            #expect(deleted.exitCode == 0 && deleted.standardOutput.contains("deleted topic cli-t"), "\(deleted)")
            let gone = try await ferry(server, ["topics", "describe", "cli-t"])
            #expect(gone.exitCode != 0)
        }
    }

    @Test func errors_ExitNonZeroWithTheServersProblemDetail() async throws {
        try await withTestServer { server, _ in
            let missing = try await ferry(server, ["topics", "describe", "no-such-topic"])
            #expect(missing.exitCode != nil && missing.exitCode != 0, "\(missing)")
            #expect(missing.standardError.contains("404"), "\(missing)")
            #expect(missing.standardError.contains("no-such-topic"), "\(missing)")
            #expect(missing.standardOutput.isEmpty)

            let invalid = try await ferry(server, ["topics", "create", "bad/name"])
            #expect(invalid.exitCode != 0 && invalid.standardError.contains("400"), "\(invalid)")

            _ = try await ferry(server, ["topics", "create", "cli-dup"])
            let duplicate = try await ferry(server, ["topics", "create", "cli-dup"])
            #expect(duplicate.exitCode != 0 && duplicate.standardError.contains("409"), "\(duplicate)")

            // --follow needs a file to follow (a usage error: exit 64, one line ending in a newline).
            let follow = try await ferry(server, ["produce", "cli-logs", "--follow"])
            #expect(follow.exitCode == 64 && follow.standardError.contains("--follow needs --file"), "\(follow)")
            #expect(follow.standardError.hasSuffix("\n"), "\(follow)")
        }
    }

    @Test func serverFromEnvironment_AndUnreachableServerFails() async throws {
        try await withTestServer { server, _ in
            let listed = try await CLIRunner.run(
                ["topics", "list", "--json"], environment: ["FERRY_SERVER": "http://127.0.0.1:\(server.port)"])
            #expect(listed.exitCode == 0, "\(listed)")
            #expect(try JSONValue.parse(Array(listed.standardOutput.utf8))["topics"] != nil)
        }
        let unreachable = try await CLIRunner.run(["topics", "list", "--server", "http://127.0.0.1:1"])
        #expect(unreachable.exitCode != nil && unreachable.exitCode != 0, "\(unreachable)")
        #expect(unreachable.standardError.contains("cannot reach"), "\(unreachable)")
    }
}

/// `ferry subscriptions …` against a live server (the target URL has no listener: deliveries are not the point).
@Suite(.serialized) struct CLISubscriptionTests {
    func ferry(_ server: TestServer, _ arguments: [String]) async throws -> CLIRunner.Result {
        try await CLIRunner.run(arguments + ["--server", "http://127.0.0.1:\(server.port)"])
    }

    func status(_ result: CLIRunner.Result) throws -> JSONValue {
        try JSONValue.parse(Array(result.standardOutput.utf8))
    }

    @Test func createListDescribePauseResumeSeekDelete() async throws {
        try await withTestServer { server, _ in
            _ = try await ferry(server, ["topics", "create", "cli-subs", "--partitions", "2"])
            let created = try await ferry(
                server,
                [
                    "subscriptions", "create", "cli-subs", "billing", "--url", "http://127.0.0.1:9/hook",
                    "--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "--batch-size", "10", "--max-attempts", "3",
                    "--header", "Authorization=Bearer t", "--filter-header", "type=order.created", "--json",
                ])
            #expect(created.exitCode == 0, "\(created)")
            let createdStatus = try status(created)
            #expect(createdStatus["name"].str == "billing" && createdStatus["topic"].str == "cli-subs")
            #expect(createdStatus["batch_size"].int == 10 && createdStatus["max_attempts"].int == 3)
            #expect(createdStatus["filter"]?["headers"]?["type"].str == "order.created")
            #expect(createdStatus["secret"] == nil)

            let list = try await ferry(server, ["subscriptions", "list", "cli-subs"])
            #expect(list.exitCode == 0, "\(list)")
            #expect(list.lines.first?.hasPrefix("NAME") == true && list.lines.contains { $0.hasPrefix("billing ") })

            let describe = try await ferry(server, ["subscriptions", "describe", "cli-subs", "billing"])
            #expect(describe.exitCode == 0, "\(describe)")
            #expect(describe.lines.contains { $0.hasPrefix("url") && $0.hasSuffix("http://127.0.0.1:9/hook") })

            let paused = try await ferry(server, ["subscriptions", "pause", "cli-subs", "billing", "--json"])
            #expect(paused.exitCode == 0, "\(paused)")
            #expect(try status(paused)["state"].str == "paused")
            let resumed = try await ferry(server, ["subscriptions", "resume", "cli-subs", "billing", "--json"])
            #expect(resumed.exitCode == 0, "\(resumed)")
            #expect(try status(resumed)["state"].str != "paused")

            let seek = try await ferry(server, ["subscriptions", "seek", "cli-subs", "billing", "--to", "earliest"])
            #expect(seek.exitCode == 0 && seek.lines.contains { $0.hasPrefix("billing ") }, "\(seek)")
            let seekOffset = try await ferry(
                server, ["subscriptions", "seek", "cli-subs", "billing", "--partition", "1", "--offset", "0"])
            #expect(seekOffset.exitCode == 0, "\(seekOffset)")

            let deleted = try await ferry(server, ["subscriptions", "delete", "cli-subs", "billing"])
            #expect(deleted.exitCode == 0, "\(deleted)")
            let gone = try await ferry(server, ["subscriptions", "describe", "cli-subs", "billing"])
            #expect(gone.exitCode != 0 && gone.standardError.contains("404"), "\(gone)")
        }
    }

    @Test func create_FailsWithTheProblemDetail_ForABadURLOrADuplicate() async throws {
        try await withTestServer { server, _ in
            _ = try await ferry(server, ["topics", "create", "cli-subs-bad"])
            let badURL = try await ferry(
                server, ["subscriptions", "create", "cli-subs-bad", "s1", "--url", "ftp://example.com/"])
            #expect(badURL.exitCode != 0 && badURL.standardError.contains("400"), "\(badURL)")
            let arguments = ["subscriptions", "create", "cli-subs-bad", "s2", "--url", "http://127.0.0.1:9/"]
            #expect(try await ferry(server, arguments).exitCode == 0)
            let duplicate = try await ferry(server, arguments)
            #expect(duplicate.exitCode != 0 && duplicate.standardError.contains("409"), "\(duplicate)")
        }
    }
}
