import FerryAPITesting
import FerryJSON
import Testing

/// Group describe, list, delete and offset resets (API.md "Consumer groups").
struct GroupAdminTests {
    @Test func describe_ShowsMembers_NullCommittedOffset_AndLag() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("d", partitions: 2)
            try await api.createTopic("e", partitions: 1)
            try await api.produce("d", records: (0..<6).map { #"{"value":\#($0),"partition":\#($0 % 2)}"# })
            let (m, _) = try await api.join("g", body: #"{"topics":["e","d"],"auto_offset_reset":"earliest"}"#)
            let response = try await api.get("/v1/groups/g")
            #expect(response.status == 200)
            #expect(Set(response.json?.keys ?? []) == ["group", "members", "offsets"])
            #expect(response["group"].str == "g")
            let members = try #require(response["members"].list)
            #expect(members.count == 1)
            #expect(Set(members[0].keys) == ["member_id", "topics", "assignments"])
            #expect(members[0]["member_id"].str == m)
            #expect(Set((members[0]["topics"].list ?? []).compactMap(\.str)) == ["d", "e"])
            #expect(members[0]["assignments"].list?.count == 3)
            let offsets = try #require(response["offsets"].list)
            // Every partition of every subscribed topic.
            #expect(
                Set(offsets.map { "\($0["topic"].str ?? "")/\($0["partition"].int ?? -1)" }) == ["d/0", "d/1", "e/0"])
            for offset in offsets {
                #expect(Set(offset.keys) == ["topic", "partition", "committed_offset", "end_offset", "lag"])
                #expect(offset["committed_offset"] == .null)
                #expect(offset["lag"].int == offset["end_offset"].int, "lag = end − start before any commit")
            }
            let d0 = try #require(offsets.first { $0["topic"].str == "d" && $0["partition"].int == 0 })
            #expect(d0["end_offset"].int == 3)
            // After a commit, lag counts from the committed offset.
            let commit = try await api.post(
                "/v1/groups/g/members/\(m)/commit", json: #"{"offsets":[{"topic":"d","partition":0,"offset":1}]}"#)
            #expect(commit.status == 204)
            let after = try await api.get("/v1/groups/g")["offsets"].list ?? []
            let d0After = try #require(after.first { $0["topic"].str == "d" && $0["partition"].int == 0 })
            #expect(d0After["committed_offset"].int == 1)
            #expect(d0After["lag"].int == 2)
        }
    }

    @Test func describe_UnknownGroup_Returns404GroupNotFound() async throws {
        try await withTestServer { _, api in
            expectProblem(try await api.get("/v1/groups/none"), 404, "group-not-found")
        }
    }

    @Test func list_IsSortedByName_WithMemberCountsAndTopics() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("t1")
            try await api.createTopic("t2")
            #expect(try await api.get("/v1/groups").json == ["groups": []])
            for group in ["b", "a", "C"] { _ = try await api.join(group, body: #"{"topics":["t1"]}"#) }
            _ = try await api.join("a", body: #"{"topics":["t2"]}"#)
            let response = try await api.get("/v1/groups")
            #expect(response.status == 200)
            let groups = try #require(response["groups"].list)
            #expect(groups.map { $0["group"].str } == ["C", "a", "b"])
            for group in groups { #expect(Set(group.keys) == ["group", "member_count", "topics"]) }
            let a = try #require(groups.first { $0["group"].str == "a" })
            #expect(a["member_count"].int == 2)
            #expect(Set((a["topics"].list ?? []).compactMap(\.str)) == ["t1", "t2"])
            #expect(groups.first { $0["group"].str == "b" }?["member_count"].int == 1)
        }
    }

    @Test func group_KeepsCommittedOffsets_WithNoMembers() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("k")
            try await api.produce("k", records: (0..<3).map { #"{"value":\#($0)}"# })
            let (m, _) = try await api.join("g", body: #"{"topics":["k"],"auto_offset_reset":"earliest"}"#)
            _ = try await api.get("/v1/groups/g/members/\(m)/messages")
            #expect(try await api.post("/v1/groups/g/members/\(m)/commit", json: "").status == 204)
            #expect(try await api.delete("/v1/groups/g/members/\(m)").status == 204)
            let listed = try await api.get("/v1/groups")["groups"].list ?? []
            #expect(listed.map { $0["group"].str } == ["g"])
            #expect(listed.first?["member_count"].int == 0)
            let described = try await api.get("/v1/groups/g")
            #expect(described["members"].list?.isEmpty == true)
            #expect(described["offsets"]?[0]?["committed_offset"].int == 3)
        }
    }

    @Test func delete_Returns409WithMembers_204WhenEmpty_ThenGone() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("t")
            let (m, _) = try await api.join("g", body: #"{"topics":["t"]}"#)
            expectProblem(try await api.delete("/v1/groups/g"), 409, "group-not-empty")
            #expect(try await api.get("/v1/groups/g").status == 200)
            #expect(try await api.delete("/v1/groups/g/members/\(m)").status == 204)
            let deleted = try await api.delete("/v1/groups/g")
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            expectProblem(try await api.get("/v1/groups/g"), 404, "group-not-found")
            #expect(try await api.get("/v1/groups")["groups"].list?.isEmpty == true)
            expectProblem(try await api.delete("/v1/groups/g"), 404, "group-not-found")
        }
    }

    @Test func offsetsReset_EarliestLatestOffsetTimestamp() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("r", partitions: 2)
            try await api.produce(
                "r",
                records: (0..<8).map { #"{"value":\#($0),"partition":\#($0 % 2),"timestamp":\#(1000 * ($0 / 2 + 1))}"# }
            )
            let (m, _) = try await api.join("g", body: #"{"topics":["r"]}"#)
            #expect(try await api.delete("/v1/groups/g/members/\(m)").status == 204)

            func committed(_ response: APIResponse) -> [Int64?] {
                (response["offsets"].list ?? []).sorted { ($0["partition"].int ?? 0) < ($1["partition"].int ?? 0) }
                    .map { $0["committed_offset"].int }
            }
            let latest = try await api.post("/v1/groups/g/offsets", json: #"{"topic":"r","to":"latest"}"#)
            #expect(latest.status == 200, "\(latest.text)")
            #expect(latest["group"].str == "g", "answers with the group description")
            #expect(committed(latest) == [4, 4])
            let earliest = try await api.post("/v1/groups/g/offsets", json: #"{"topic":"r","to":"earliest"}"#)
            #expect(committed(earliest) == [0, 0])
            let one = try await api.post(
                "/v1/groups/g/offsets", json: #"{"topic":"r","partition":1,"to":{"offset":3}}"#)
            #expect(committed(one) == [0, 3], "only the named partition changes")
            // Timestamps per partition: 1000, 2000, 3000, 4000 → the first at or after 2500 is offset 2.
            let byTime = try await api.post("/v1/groups/g/offsets", json: #"{"topic":"r","to":{"timestamp":2500}}"#)
            #expect(committed(byTime) == [2, 2])
            // A member joining now starts at the reset offsets.
            let (again, _) = try await api.join("g", body: #"{"topics":["r"]}"#)
            let fetched = try await api.get("/v1/groups/g/members/\(again)/messages")
            #expect(
                Set(fetched.messages.map { "\($0["partition"].int ?? -1)@\($0["offset"].int ?? -1)" }) == [
                    "0@2", "0@3", "1@2", "1@3",
                ])
        }
    }

    @Test func offsetsReset_Returns409WhileGroupHasMembers_AndRejectsBadTargets() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("r")
            let (m, _) = try await api.join("g", body: #"{"topics":["r"]}"#)
            expectProblem(
                try await api.post("/v1/groups/g/offsets", json: #"{"topic":"r","to":"earliest"}"#), 409,
                "group-not-empty")
            #expect(try await api.delete("/v1/groups/g/members/\(m)").status == 204)
            for body in [
                #"{"topic":"r","to":"middle"}"#, #"{"topic":"r"}"#, #"{"to":"earliest"}"#,
                #"{"topic":"r","to":{"offset":-1}}"#,
            ] {
                expectProblem(try await api.post("/v1/groups/g/offsets", json: body), 400, "invalid-parameter")
            }
            expectProblem(
                try await api.post("/v1/groups/g/offsets", json: #"{"topic":"none","to":"earliest"}"#), 404,
                "topic-not-found")
        }
    }

    @Test func deletingATopic_EndsTheGroupsOffsetsOnIt() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("gone")
            try await api.produce("gone", records: [#"{"value":1}"#])
            let (m, _) = try await api.join("g", body: #"{"topics":["gone"],"auto_offset_reset":"earliest"}"#)
            _ = try await api.get("/v1/groups/g/members/\(m)/messages")
            #expect(try await api.post("/v1/groups/g/members/\(m)/commit", json: "").status == 204)
            #expect(try await api.delete("/v1/groups/g/members/\(m)").status == 204)
            #expect(try await api.delete("/v1/topics/gone").status == 204)
            try await api.createTopic("gone")
            let offsets = try await api.get("/v1/groups/g")["offsets"].list ?? []
            #expect(offsets.allSatisfy { $0["committed_offset"] == .null }, "old commits must not apply: \(offsets)")
        }
    }
}
