import FerryAPITesting
import FerryJSON
import FerryLog
import Testing

/// `Idempotency-Key` on produce (API.md "Produce").
struct IdempotencyTests {
    static func endOffset(_ api: APIClient, _ topic: String) async throws -> Int64? {
        try await api.get("/v1/topics/\(topic)")["partitions"]?[0]?["end_offset"].int
    }

    @Test func repeatWithSameKey_ReturnsFirstResponse_AndAppendsNothing() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("idem")
            let body = #"{"records":[{"value":1},{"value":2}]}"#
            let first = try await api.post(
                "/v1/topics/idem/messages", json: body, headers: [("Idempotency-Key", "abc-1")])
            #expect(first.status == 200)
            #expect(first.offsets.map { $0["offset"].int } == [0, 1])
            for _ in 0..<3 {
                let again = try await api.post(
                    "/v1/topics/idem/messages", json: body, headers: [("Idempotency-Key", "abc-1")])
                #expect(again.status == 200)
                #expect(again.body == first.body, "a replay returns the first body byte for byte")
            }
            #expect(try await Self.endOffset(api, "idem") == 2)
            // A new key appends.
            let other = try await api.post(
                "/v1/topics/idem/messages", json: body, headers: [("Idempotency-Key", "abc-2")])
            #expect(other.offsets.map { $0["offset"].int } == [2, 3])
            #expect(try await Self.endOffset(api, "idem") == 4)
        }
    }

    @Test func sameKeyWithDifferentBody_Returns409_AndAppendsNothing() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("idem")
            let first = try await api.post(
                "/v1/topics/idem/messages", json: #"{"records":[{"value":1}]}"#, headers: [("Idempotency-Key", "k")])
            #expect(first.status == 200)
            let changed = try await api.post(
                "/v1/topics/idem/messages", json: #"{"records":[{"value":2}]}"#, headers: [("Idempotency-Key", "k")])
            expectProblem(changed, 409, "idempotency-key-reused")
            let raw = try await api.post(
                "/v1/topics/idem/messages", body: Array("x".utf8),
                headers: [("Content-Type", "text/plain"), ("Idempotency-Key", "k")])
            expectProblem(raw, 409, "idempotency-key-reused")
            #expect(try await Self.endOffset(api, "idem") == 1)
            #expect(try await api.fetch("idem").messages.map { $0["value"] } == [1])
        }
    }

    @Test func sameKeyOnAnotherTopic_IsIndependent() async throws {
        try await withTestServer { _, api in
            let body = #"{"records":[{"value":1}]}"#
            for topic in ["one", "two"] {
                let response = try await api.post(
                    "/v1/topics/\(topic)/messages", json: body, headers: [("Idempotency-Key", "shared")])
                #expect(response.status == 200)
                #expect(try await Self.endOffset(api, topic) == 1)
            }
        }
    }

    @Test func concurrentDuplicates_AppendOnce_AndAllGetTheSameAnswer() async throws {
        try await withTestServer(flushPolicy: .always) { _, api in
            try await api.createTopic("idem")
            let body = #"{"records":[{"value":"a"},{"value":"b"},{"value":"c"}]}"#
            let responses = try await withThrowingTaskGroup(of: APIResponse.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await api.post(
                            "/v1/topics/idem/messages", json: body, headers: [("Idempotency-Key", "once")])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(responses.count == 20)
            #expect(responses.allSatisfy { $0.status == 200 }, "\(responses.map(\.status))")
            #expect(Set(responses.map(\.body)).count == 1, "every duplicate gets the first answer")
            #expect(try await Self.endOffset(api, "idem") == 3)
        }
    }

    @Test func repeatOfAFailedRequest_ReturnsTheSameError() async throws {
        try await withTestServer { _, api in
            try await api.createTopic("idem", partitions: 1)
            let body = #"{"records":[{"value":1,"partition":3}]}"#
            let first = try await api.post(
                "/v1/topics/idem/messages", json: body, headers: [("Idempotency-Key", "bad")])
            expectProblem(first, 400, "invalid-partitions")
            let again = try await api.post(
                "/v1/topics/idem/messages", json: body, headers: [("Idempotency-Key", "bad")])
            #expect(again.status == 400)
            #expect(again.body == first.body)
            #expect(try await Self.endOffset(api, "idem") == 0)
        }
    }
}
