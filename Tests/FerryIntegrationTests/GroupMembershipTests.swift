import FerryAPITesting
import FerryJSON
import FerryTesting
import Testing

/// Consumer groups: join, assignment, member fetch, commit, leave, eviction (API.md "Consumer groups").
struct GroupMembershipTests {
    /// A `(partition, offset)` pair identifying one message of a topic.
    struct MessageID: Hashable, CustomStringConvertible {
        let partition: Int64
        let offset: Int64
        var description: String { "\(partition)@\(offset)" }
    }

    static func ids(_ messages: [JSONValue]) -> [MessageID] {
        messages.map { MessageID(partition: $0["partition"].int ?? -1, offset: $0["offset"].int ?? -1) }
    }

    static func assignments(_ value: JSONValue?) -> Set<Int64> {
        Set((value.list ?? []).compactMap { $0["partition"].int })
    }

    /// Fetches as `member` until a fetch returns nothing (bounded); returns every message seen.
    static func drain(_ api: APIClient, group: String, member: String, limit: Int = 7) async throws -> [JSONValue] {
        var all: [JSONValue] = []
        for _ in 0..<200 {
            let response = try await api.get("/v1/groups/\(group)/members/\(member)/messages?limit=\(limit)")
            #expect(response.status == 200, "\(response.text)")
            if response.messages.isEmpty { break }
            all += response.messages
        }
        return all
    }

    @Test func join_Returns201WithMemberAndAllPartitions() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("orders", partitions: 3)
            let response = try await api.post(
                "/v1/groups/billing/members",
                json:
                    #"{"topics":["orders"],"session_timeout_ms":30000,"auto_offset_reset":"earliest","auto_commit":false}"#
            )
            #expect(response.status == 201, "\(response.text)")
            #expect(Set(response.json?.keys ?? []) == ["member_id", "group", "assignments"])
            #expect(response["member_id"].str?.isEmpty == false)
            #expect(response["group"].str == "billing")
            let assignments = try #require(response["assignments"].list)
            #expect(assignments.count == 3)
            for entry in assignments {
                #expect(entry["topic"].str == "orders")
                #expect(Set(entry.keys) == ["topic", "partition"])
            }
            #expect(Self.assignments(response["assignments"]) == [0, 1, 2])
        }
    }

    @Test func join_RejectsBadInput() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("t")
            let bad = [
                #"{}"#, #"{"topics":[]}"#, #"{"topics":"t"}"#, #"{"topics":["t"],"session_timeout_ms":999}"#,
                #"{"topics":["t"],"session_timeout_ms":300001}"#, #"{"topics":["t"],"auto_offset_reset":"middle"}"#,
                #"{"topics":["t"],"auto_commit":"yes"}"#,
            ]
            for body in bad {
                expectProblem(try await api.post("/v1/groups/g/members", json: body), 400, "invalid-parameter")
            }
            expectProblem(
                try await api.post("/v1/groups/g/members", json: #"{"topics":["missing"]}"#), 404, "topic-not-found")
            expectProblem(
                try await api.post("/v1/groups/bad%20name/members", json: #"{"topics":["t"]}"#), 400,
                "invalid-parameter")
            // Bounds themselves are accepted.
            for timeout in [1000, 300_000] {
                let ok = try await api.post(
                    "/v1/groups/g/members", json: #"{"topics":["t"],"session_timeout_ms":\#(timeout)}"#)
                #expect(ok.status == 201, "\(ok.text)")
            }
            #expect(try await api.get("/v1/groups")["groups"].list?.map { $0["group"].str } == ["g"])
        }
    }

    @Test(arguments: [APITestMode.live, .kafka])
    func twoMembers_SplitPartitionsEvenly_AndTogetherSeeEveryMessageOnce(mode: APITestMode) async throws {
        try await withTestServer(mode) { _, api in
            try await api.createTopic("split", partitions: 4)
            let records = (0..<40).map { #"{"value":\#($0),"partition":\#($0 % 4)}"# }
            try await api.produce("split", records: records)
            let body = #"{"topics":["split"],"auto_offset_reset":"earliest"}"#
            let (a, joinedA) = try await api.join("g", body: body)
            #expect(Self.assignments(joinedA["assignments"]) == [0, 1, 2, 3])
            // A reads some, commits, then B joins.
            let firstBatch = try await api.get("/v1/groups/g/members/\(a)/messages?limit=13")
            #expect(firstBatch.messages.count == 13)
            #expect(try await api.post("/v1/groups/g/members/\(a)/commit", json: "").status == 204)
            let (b, joinedB) = try await api.join("g", body: body)
            let assignedB = Self.assignments(joinedB["assignments"])
            #expect(assignedB.count == 2, "B got \(assignedB)")
            let described = try await api.get("/v1/groups/g")
            let members = try #require(described["members"].list)
            #expect(members.count == 2)
            let assignedA = Self.assignments(members.first { $0["member_id"].str == a }?["assignments"])
            #expect(assignedA.count == 2, "A has \(assignedA)")
            #expect(assignedA.isDisjoint(with: assignedB))
            #expect(assignedA.union(assignedB) == [0, 1, 2, 3])

            let restA = try await Self.drain(api, group: "g", member: a)
            let restB = try await Self.drain(api, group: "g", member: b)
            #expect(restA.allSatisfy { assignedA.contains($0["partition"].int ?? -1) })
            #expect(restB.allSatisfy { assignedB.contains($0["partition"].int ?? -1) })
            let seen = Self.ids(firstBatch.messages) + Self.ids(restA) + Self.ids(restB)
            let all = Set((0..<40).map { MessageID(partition: Int64($0 % 4), offset: Int64($0 / 4)) })
            #expect(seen.count == 40, "duplicates or gaps: \(seen.count) deliveries")
            #expect(Set(seen) == all)
            // The member fetch reports the current assignments.
            let last = try await api.get("/v1/groups/g/members/\(b)/messages")
            #expect(Self.assignments(last["assignments"]) == assignedB)
        }
    }

    @Test(arguments: [APITestMode.live, .kafka])
    func commitWithoutBody_CommitsPositionAfterLastReturnedMessage(mode: APITestMode) async throws {
        try await withTestServer(mode) { server, api in
            try await api.createTopic("c", partitions: 2)
            try await api.produce("c", records: (0..<10).map { #"{"value":\#($0),"partition":\#($0 % 2)}"# })
            let (m, _) = try await api.join("g", body: #"{"topics":["c"],"auto_offset_reset":"earliest"}"#)
            let fetched = try await api.get("/v1/groups/g/members/\(m)/messages?limit=100")
            #expect(fetched.messages.count == 10)
            // Truly no body and no Content-Type (libcurl would add a form content type to an empty POST).
            let commit = try await rawExchange(
                port: server.port,
                request: "POST /v1/groups/g/members/\(m)/commit HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n")
            #expect(commit.status == 204, "\(commit)")
            #expect(commit.body.isEmpty)
            let offsets = try await api.get("/v1/groups/g")["offsets"].list ?? []
            #expect(offsets.map { $0["committed_offset"].int } == [5, 5])
            #expect(offsets.map { $0["lag"].int } == [0, 0])
        }
    }

    @Test func commitWithOffsets_CommitsThose() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("c", partitions: 2)
            try await api.produce("c", records: (0..<10).map { #"{"value":\#($0),"partition":\#($0 % 2)}"# })
            let (m, _) = try await api.join("g", body: #"{"topics":["c"]}"#)
            let commit = try await api.post(
                "/v1/groups/g/members/\(m)/commit",
                json: #"{"offsets":[{"topic":"c","partition":0,"offset":3},{"topic":"c","partition":1,"offset":1}]}"#)
            #expect(commit.status == 204, "\(commit.text)")
            let offsets = try await api.get("/v1/groups/g")["offsets"].list ?? []
            #expect(offsets.map { $0["committed_offset"].int } == [3, 1])
            #expect(offsets.map { $0["lag"].int } == [2, 4])
            expectProblem(
                try await api.post("/v1/groups/g/members/\(m)/commit", json: #"{"offsets":[{"topic":"c"}]}"#), 400,
                "invalid-parameter")
        }
    }

    @Test func commitOfPartitionNotOwned_Returns409_AndCommitsNothing() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("o", partitions: 2)
            try await api.produce("o", records: (0..<4).map { #"{"value":\#($0),"partition":\#($0 % 2)}"# })
            let (a, _) = try await api.join("g", body: #"{"topics":["o"]}"#)
            let (b, joinedB) = try await api.join("g", body: #"{"topics":["o"]}"#)
            let ofB = try #require(Self.assignments(joinedB["assignments"]).first)
            let ofA = 1 - ofB
            let response = try await api.post(
                "/v1/groups/g/members/\(a)/commit",
                json:
                    #"{"offsets":[{"topic":"o","partition":\#(ofA),"offset":1},{"topic":"o","partition":\#(ofB),"offset":1}]}"#
            )
            expectProblem(response, 409, "not-partition-owner")
            let offsets = try await api.get("/v1/groups/g")["offsets"].list ?? []
            #expect(offsets.allSatisfy { $0["committed_offset"] == .null }, "nothing may be committed: \(offsets)")
            // The owner may commit it.
            let owner = try await api.post(
                "/v1/groups/g/members/\(b)/commit", json: #"{"offsets":[{"topic":"o","partition":\#(ofB),"offset":1}]}"#
            )
            #expect(owner.status == 204)
        }
    }

    @Test func commitLeaveRejoin_ResumesWithoutGapOrDuplicate() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("r", partitions: 1)
            try await api.produce("r", records: (0..<10).map { #"{"value":\#($0)}"# })
            let body = #"{"topics":["r"],"auto_offset_reset":"earliest"}"#
            let (first, _) = try await api.join("g", body: body)
            let part1 = try await api.get("/v1/groups/g/members/\(first)/messages?limit=4")
            #expect(part1.messages.map { $0["offset"].int } == [0, 1, 2, 3])
            #expect(try await api.post("/v1/groups/g/members/\(first)/commit", json: "").status == 204)
            let leave = try await api.delete("/v1/groups/g/members/\(first)")
            #expect(leave.status == 204)
            expectProblem(try await api.get("/v1/groups/g/members/\(first)/messages"), 404, "member-not-found")
            let (second, _) = try await api.join("g", body: body)
            let rest = try await Self.drain(api, group: "g", member: second, limit: 3)
            #expect(rest.map { $0["offset"].int } == [4, 5, 6, 7, 8, 9])
        }
    }

    @Test func autoCommit_CommitsWhatAFetchReturned_WhenTheNextFetchArrives() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("a")
            try await api.produce("a", records: (0..<10).map { #"{"value":\#($0)}"# })
            let (m, _) = try await api.join(
                "g", body: #"{"topics":["a"],"auto_offset_reset":"earliest","auto_commit":true}"#)
            #expect(try await api.get("/v1/groups/g/members/\(m)/messages?limit=3").messages.count == 3)
            #expect(try await api.get("/v1/groups/g")["offsets"]?[0]?["committed_offset"] == .null)
            #expect(try await api.get("/v1/groups/g/members/\(m)/messages?limit=3").messages.first?["offset"].int == 3)
            #expect(try await api.get("/v1/groups/g")["offsets"]?[0]?["committed_offset"].int == 3)
            // Without auto_commit nothing is committed by fetching.
            let (other, _) = try await api.join("h", body: #"{"topics":["a"],"auto_offset_reset":"earliest"}"#)
            _ = try await api.get("/v1/groups/h/members/\(other)/messages?limit=3")
            _ = try await api.get("/v1/groups/h/members/\(other)/messages?limit=3")
            #expect(try await api.get("/v1/groups/h")["offsets"]?[0]?["committed_offset"] == .null)
        }
    }

    @Test func autoOffsetReset_EarliestReadsAll_LatestOnlyNewMessages() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("x")
            try await api.produce("x", records: (0..<3).map { #"{"value":\#($0)}"# })
            let (early, _) = try await api.join("e", body: #"{"topics":["x"],"auto_offset_reset":"earliest"}"#)
            let (late, _) = try await api.join("l", body: #"{"topics":["x"],"auto_offset_reset":"latest"}"#)
            let (byDefault, _) = try await api.join("d", body: #"{"topics":["x"]}"#)
            try await api.produce("x", records: [#"{"value":3}"#])
            #expect(try await Self.drain(api, group: "e", member: early).map { $0["value"] } == [0, 1, 2, 3])
            #expect(try await Self.drain(api, group: "l", member: late).map { $0["value"] } == [3])
            #expect(
                try await Self.drain(api, group: "d", member: byDefault).map { $0["value"] } == [3], "default is latest"
            )
        }
    }

    @Test func silentMember_IsEvictedAfterSessionTimeout_AndItsPartitionsMove() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("ev", partitions: 2)
            // 3 s, not the 1 s minimum: on a loaded machine the second join may come more than 1 s later. The
            // initial split is not asserted here (a stalled test could still see the eviction first).
            let (silent, _) = try await api.join("g", body: #"{"topics":["ev"],"session_timeout_ms":3000}"#)
            let (alive, _) = try await api.join("g", body: #"{"topics":["ev"],"session_timeout_ms":30000}"#)
            var members: [String] = [silent, alive]
            for _ in 0..<200 where members.count > 1 {  // ≤ 20 s
                try await Task.sleep(for: .milliseconds(100))
                _ = try await api.get("/v1/groups/g/members/\(alive)/messages")  // the live member heartbeats
                members = (try await api.get("/v1/groups/g")["members"].list ?? []).compactMap { $0["member_id"].str }
            }
            #expect(members == [alive], "the silent member should be gone: \(members)")
            let fetched = try await api.get("/v1/groups/g/members/\(alive)/messages")
            #expect(Self.assignments(fetched["assignments"]) == [0, 1])
            expectProblem(try await api.get("/v1/groups/g/members/\(silent)/messages"), 404, "member-not-found")
            expectProblem(
                try await api.post("/v1/groups/g/members/\(silent)/commit", json: ""), 404, "member-not-found")
        }
    }

    @Test func leave_RebalancesPartitionsToTheRemainingMembers() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("lv", partitions: 3)
            let (a, _) = try await api.join("g", body: #"{"topics":["lv"]}"#)
            let (b, _) = try await api.join("g", body: #"{"topics":["lv"]}"#)
            let (c, _) = try await api.join("g", body: #"{"topics":["lv"]}"#)
            var members = try await api.get("/v1/groups/g")["members"].list ?? []
            #expect(members.map { Self.assignments($0["assignments"]).count } == [1, 1, 1])
            #expect(try await api.delete("/v1/groups/g/members/\(b)").status == 204)
            members = try await api.get("/v1/groups/g")["members"].list ?? []
            #expect(Set(members.compactMap { $0["member_id"].str }) == [a, c])
            let counts = members.map { Self.assignments($0["assignments"]).count }.sorted()
            #expect(counts == [1, 2], "3 partitions over 2 members: \(counts)")
            let union = members.reduce(into: Set<Int64>()) { $0.formUnion(Self.assignments($1["assignments"])) }
            #expect(union == [0, 1, 2])
            expectProblem(try await api.delete("/v1/groups/g/members/\(b)"), 404, "member-not-found")
        }
    }

    @Test func memberFetch_ValidatesLimits_AndHonoursEncoding() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("mf")
            try await api.produce("mf", records: [#"{"key":"k1","value":{"a":1}}"#, #"{"value":2}"#])
            let (m, _) = try await api.join("g", body: #"{"topics":["mf"],"auto_offset_reset":"earliest"}"#)
            for query in ["limit=0", "limit=10001", "max_bytes=0", "max_bytes=67108865", "wait_ms=60001", "wait_ms=-1"]
            {
                let response = try await api.get("/v1/groups/g/members/\(m)/messages?\(query)")
                expectProblem(response, 400, "invalid-parameter")
            }
            let response = try await api.get("/v1/groups/g/members/\(m)/messages?limit=1&encoding=base64")
            #expect(response.status == 200)
            #expect(Set(response.json?.keys ?? []) == ["messages", "assignments"])
            #expect(response.messages.count == 1)
            #expect(response.messages.first?["value_base64"].str == "eyJhIjoxfQ==")
            #expect(response.messages.first?["key_base64"].str == "azE=")
            let message = try #require(try await api.get("/v1/groups/g/members/\(m)/messages").messages.first)
            #expect(Set(message.keys) == ["topic", "partition", "offset", "timestamp", "key", "value", "headers"])
            #expect(message["offset"].int == 1)
        }
    }

    @Test func memberFetch_MaxBytes_BoundsTheWholeAnswerAcrossPartitions() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("mb", partitions: 2)
            let value = String(repeating: "v", count: 100)
            for partition in 0..<2 {
                let response = try await api.post(
                    "/v1/topics/mb/messages?partition=\(partition)&split=lines",
                    body: Array("\(value)\n\(value)\n".utf8),
                    headers: [("Content-Type", "text/plain")])
                #expect(response.status == 200)
            }
            let (m, _) = try await api.join("g", body: #"{"topics":["mb"],"auto_offset_reset":"earliest"}"#)
            // 150 bytes hold one 100-byte value, not two (from either partition).
            let first = try await api.get("/v1/groups/g/members/\(m)/messages?max_bytes=150")
            #expect(first.messages.count == 1, "got \(first.messages.count) messages for max_bytes=150")
            // Nothing is lost: the rest comes with later fetches.
            let rest = try await Self.drain(api, group: "g", member: m)
            #expect(Set(Self.ids(first.messages) + Self.ids(rest)).count == 4)
            #expect(Self.ids(first.messages).count + Self.ids(rest).count == 4)
        }
    }

    @Test func unknownMember_Returns404MemberNotFound_OnEveryMemberEndpoint() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("t")
            _ = try await api.join("g", body: #"{"topics":["t"]}"#)
            for group in ["g", "nogroup"] {
                expectProblem(try await api.get("/v1/groups/\(group)/members/nobody/messages"), 404, "member-not-found")
                expectProblem(
                    try await api.post("/v1/groups/\(group)/members/nobody/commit", json: ""), 404, "member-not-found")
                expectProblem(try await api.delete("/v1/groups/\(group)/members/nobody"), 404, "member-not-found")
            }
        }
    }
}
