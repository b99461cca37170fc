import FerryAPI
import FerryAPITesting
import FerryHTTP
import FerryJSON
import FerryServer
import Testing

/// Bearer-token access control over a real in-process server (API.md "Authentication"): every right on every
/// route family, 401/403, list filtering, prefix grants.
@Suite("Access control")
struct AccessControlTests {
    static let tokensFile = #"""
        {"tokens": [
          {"name": "root", "token": "root-token", "rights": [{"right": "admin", "topics": "*"}]},
          {"name": "producer", "token": "p-token", "rights": [{"right": "produce", "topics": "orders*"}]},
          {"name": "consumer", "token": "c-token", "rights": [{"right": "consume", "topics": "orders*"}]},
          {"name": "orders-admin", "token": "oa-token", "rights": [{"right": "admin", "topics": "orders"}]},
          {"name": "nothing", "token": "n-token", "rights": []}
        ]}
        """#

    static func accessControl() throws -> AccessControl {
        AccessControl(tokens: try AccessTokens.parse(Array(tokensFile.utf8), path: "tokens.json"))
    }

    /// Runs `body` against a server with ``tokensFile``; topics `orders`, `orders.eu` and `payments` exist.
    static func withSecuredServer<T>(_ body: (APIClient) async throws -> T) async throws -> T {
        let access = try accessControl()
        return try await withTestServer(configure: { $0.accessControl = access }) { _, client in
            for topic in ["orders", "orders.eu", "payments"] {
                let created = try await client.post(
                    "/v1/topics", json: #"{"name":"\#(topic)"}"#, headers: auth("root-token"))
                #expect(created.status == 201, "\(created.text)")
            }
            return try await body(client)
        }
    }

    static func auth(_ token: String) -> [(name: String, value: String)] { [("Authorization", "Bearer " + token)] }

    // MARK: Authentication

    @Test func healthMetricsAndConsoleAssets_StayOpen() async throws {
        try await Self.withSecuredServer { client async throws in
            for path in ["/healthz", "/readyz", "/metrics", "/ui/"] {
                #expect(try await client.get(path).status == 200, "\(path)")
            }
        }
    }

    @Test func request_Gets401WithBearerChallenge_WhenTokenMissingOrUnknown() async throws {
        try await Self.withSecuredServer { client async throws in
            let missing = try await client.get("/v1/topics")
            expectProblem(missing, 401, "unauthorized")
            #expect(missing.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let unknown = try await client.get("/v1/topics", headers: Self.auth("guess"))
            expectProblem(unknown, 401, "unauthorized")
            #expect(unknown.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let wrongScheme = try await client.get("/v1/topics", headers: [("Authorization", "Basic cm9vdDpyb290")])
            expectProblem(wrongScheme, 401, "unauthorized")
            // A prefix or extension of a real token is not that token.
            expectProblem(try await client.get("/v1/topics", headers: Self.auth("root-toke")), 401, "unauthorized")
            expectProblem(try await client.get("/v1/topics", headers: Self.auth("root-tokenX")), 401, "unauthorized")
            // Scheme is case-insensitive.
            let lower = try await client.get("/v1/topics", headers: [("Authorization", "bearer root-token")])
            #expect(lower.status == 200)
            // Every family, before any handler runs (the topic does not even need to exist).
            expectProblem(try await client.post("/v1/topics/nope/messages", json: "{}"), 401, "unauthorized")
            expectProblem(try await client.get("/v1/groups"), 401, "unauthorized")
            expectProblem(try await client.post("/v1/topics/orders/queues/q/receive", json: "{}"), 401, "unauthorized")
        }
    }

    // MARK: Topics

    @Test func topicList_ShowsOnlyTopicsTheTokenHasSomeRightOn() async throws {
        try await Self.withSecuredServer { client async throws in
            func names(_ token: String) async throws -> [String] {
                let response = try await client.get("/v1/topics", headers: Self.auth(token))
                #expect(response.status == 200)
                return (response["topics"].list ?? []).compactMap { $0["name"].str }
            }
            #expect(try await names("root-token") == ["orders", "orders.eu", "payments"])
            #expect(try await names("p-token") == ["orders", "orders.eu"])
            #expect(try await names("c-token") == ["orders", "orders.eu"])
            #expect(try await names("oa-token") == ["orders"])
            #expect(try await names("n-token") == [])
        }
    }

    @Test func topicAdministration_NeedsAdmin_ReadsNeedAnyRight() async throws {
        try await Self.withSecuredServer { client async throws in
            // Create: admin on the body's name.
            expectProblem(
                try await client.post("/v1/topics", json: #"{"name":"orders.x"}"#, headers: Self.auth("p-token")),
                403, "forbidden")
            expectProblem(
                try await client.post("/v1/topics", json: #"{"name":"other"}"#, headers: Self.auth("oa-token")),
                403, "forbidden")
            let created = try await client.post(
                "/v1/topics", json: #"{"name":"new"}"#, headers: Self.auth("root-token"))
            #expect(created.status == 201)
            // A body the check cannot read reaches the handler only for a token with admin somewhere.
            expectProblem(
                try await client.post("/v1/topics", json: "{", headers: Self.auth("oa-token")), 400, "invalid-json")
            expectProblem(
                try await client.post("/v1/topics", json: "{", headers: Self.auth("c-token")), 403, "forbidden")
            // Describe: any right.
            #expect(try await client.get("/v1/topics/orders", headers: Self.auth("p-token")).status == 200)
            #expect(try await client.get("/v1/topics/orders.eu", headers: Self.auth("c-token")).status == 200)
            expectProblem(try await client.get("/v1/topics/payments", headers: Self.auth("c-token")), 403, "forbidden")
            expectProblem(try await client.get("/v1/topics/orders", headers: Self.auth("n-token")), 403, "forbidden")
            // Alter and delete: admin.
            let grow = #"{"partitions":2}"#
            expectProblem(
                try await client.patch("/v1/topics/orders", json: grow, headers: Self.auth("c-token")), 403, "forbidden"
            )
            expectProblem(
                try await client.patch("/v1/topics/orders.eu", json: grow, headers: Self.auth("oa-token")), 403,
                "forbidden")
            #expect(
                try await client.patch("/v1/topics/orders", json: grow, headers: Self.auth("oa-token")).status == 200)
            expectProblem(try await client.delete("/v1/topics/orders", headers: Self.auth("p-token")), 403, "forbidden")
            expectProblem(try await client.delete("/v1/topics/orders", headers: Self.auth("c-token")), 403, "forbidden")
            #expect(try await client.delete("/v1/topics/new", headers: Self.auth("root-token")).status == 204)
        }
    }

    // MARK: Produce, fetch, SSE

    @Test func produce_NeedsProduce_OnThePathTopic() async throws {
        try await Self.withSecuredServer { client async throws in
            let body = #"{"records":[{"value":1}]}"#
            #expect(
                try await client.post("/v1/topics/orders/messages", json: body, headers: Self.auth("p-token")).status
                    == 200)
            #expect(
                try await client.post("/v1/topics/orders.eu/messages", json: body, headers: Self.auth("p-token")).status
                    == 200)
            // Admin implies produce.
            #expect(
                try await client.post("/v1/topics/orders/messages", json: body, headers: Self.auth("oa-token")).status
                    == 200)
            expectProblem(
                try await client.post("/v1/topics/payments/messages", json: body, headers: Self.auth("p-token")), 403,
                "forbidden")
            expectProblem(
                try await client.post("/v1/topics/orders/messages", json: body, headers: Self.auth("c-token")), 403,
                "forbidden")
            // Prefix grants do not match a shorter name.
            expectProblem(
                try await client.post("/v1/topics/order/messages", json: body, headers: Self.auth("p-token")), 403,
                "forbidden")
        }
    }

    @Test func fetchAndServerSentEvents_NeedConsume() async throws {
        try await Self.withSecuredServer { client async throws in
            _ = try await client.post(
                "/v1/topics/orders/messages", json: #"{"records":[{"value":1}]}"#, headers: Self.auth("p-token"))
            let path = "/v1/topics/orders/partitions/0/messages"
            let fetched = try await client.get(path, headers: Self.auth("c-token"))
            #expect(fetched.status == 200)
            #expect(fetched.messages.count == 1)
            #expect(try await client.get(path, headers: Self.auth("oa-token")).status == 200)
            expectProblem(try await client.get(path, headers: Self.auth("p-token")), 403, "forbidden")
            expectProblem(
                try await client.get("/v1/topics/payments/partitions/0/messages", headers: Self.auth("c-token")), 403,
                "forbidden")
            // SSE is the same route: refused before any stream starts.
            let sse: [(name: String, value: String)] = [("Accept", "text/event-stream")]
            expectProblem(try await client.get(path, headers: sse + Self.auth("p-token")), 403, "forbidden")
            expectProblem(try await client.get(path, headers: sse), 401, "unauthorized")
        }
    }

    // MARK: Groups

    @Test func groups_NeedConsumeOnEveryTopic_AdminForDeleteAndReset() async throws {
        try await Self.withSecuredServer { client async throws in
            let join = #"{"topics":["orders","orders.eu"],"auto_offset_reset":"earliest"}"#
            expectProblem(
                try await client.post("/v1/groups/g/members", json: join, headers: Self.auth("p-token")), 403,
                "forbidden")
            expectProblem(
                try await client.post(
                    "/v1/groups/g/members", json: #"{"topics":["orders","payments"]}"#, headers: Self.auth("c-token")),
                403, "forbidden")
            let joined = try await client.post("/v1/groups/g/members", json: join, headers: Self.auth("c-token"))
            #expect(joined.status == 201, "\(joined.text)")
            let member = try #require(joined["member_id"].str)
            let memberPath = "/v1/groups/g/members/\(member)"
            // Membership: consume on every topic of the group.
            #expect(try await client.get(memberPath + "/messages", headers: Self.auth("c-token")).status == 200)
            expectProblem(
                try await client.get(memberPath + "/messages", headers: Self.auth("p-token")), 403, "forbidden")
            expectProblem(
                try await client.get(memberPath + "/messages", headers: Self.auth("oa-token")), 403, "forbidden")
            #expect(
                try await client.post(memberPath + "/commit", body: [], headers: Self.auth("c-token")).status == 204)
            expectProblem(
                try await client.post(memberPath + "/commit", body: [], headers: Self.auth("p-token")), 403, "forbidden"
            )
            // Reads: any right on every topic.
            #expect(try await client.get("/v1/groups/g", headers: Self.auth("p-token")).status == 200)
            expectProblem(try await client.get("/v1/groups/g", headers: Self.auth("oa-token")), 403, "forbidden")
            func groups(_ token: String) async throws -> [String] {
                let response = try await client.get("/v1/groups", headers: Self.auth(token))
                #expect(response.status == 200)
                return (response["groups"].list ?? []).compactMap { $0["group"].str }
            }
            #expect(try await groups("c-token") == ["g"])
            #expect(try await groups("oa-token") == [])
            #expect(try await groups("n-token") == [])
            // Admin on every topic: reset and delete (checked before the group-not-empty rule).
            let reset = #"{"topic":"orders","to":"earliest"}"#
            expectProblem(
                try await client.post("/v1/groups/g/offsets", json: reset, headers: Self.auth("c-token")), 403,
                "forbidden")
            expectProblem(
                try await client.post("/v1/groups/g/offsets", json: reset, headers: Self.auth("oa-token")), 403,
                "forbidden")
            expectProblem(
                try await client.post("/v1/groups/g/offsets", json: reset, headers: Self.auth("root-token")), 409,
                "group-not-empty")
            expectProblem(try await client.delete(memberPath, headers: Self.auth("p-token")), 403, "forbidden")
            #expect(try await client.delete(memberPath, headers: Self.auth("c-token")).status == 204)
            #expect(
                try await client.post("/v1/groups/g/offsets", json: reset, headers: Self.auth("root-token")).status
                    == 200)
            expectProblem(try await client.delete("/v1/groups/g", headers: Self.auth("c-token")), 403, "forbidden")
            #expect(try await client.delete("/v1/groups/g", headers: Self.auth("root-token")).status == 204)
        }
    }

    // MARK: Queues

    @Test func queues_NeedAdminToManage_ConsumeToReceiveAndSettle() async throws {
        try await Self.withSecuredServer { client async throws in
            _ = try await client.post(
                "/v1/topics/orders/messages", json: #"{"records":[{"value":1}]}"#, headers: Self.auth("p-token"))
            let create = #"{"name":"q","start":"earliest"}"#
            expectProblem(
                try await client.post("/v1/topics/orders/queues", json: create, headers: Self.auth("c-token")), 403,
                "forbidden")
            // A dead-letter topic the token may not administer is refused (the queue would write into it).
            expectProblem(
                try await client.post(
                    "/v1/topics/orders/queues", json: #"{"name":"q2","dead_letter_topic":"payments"}"#,
                    headers: Self.auth("oa-token")),
                403, "forbidden")
            #expect(
                try await client.post("/v1/topics/orders/queues", json: create, headers: Self.auth("oa-token")).status
                    == 201)
            let queue = "/v1/topics/orders/queues/q"
            // List and status: consume.
            #expect(try await client.get("/v1/topics/orders/queues", headers: Self.auth("c-token")).status == 200)
            expectProblem(
                try await client.get("/v1/topics/orders/queues", headers: Self.auth("p-token")), 403, "forbidden")
            #expect(try await client.get(queue, headers: Self.auth("c-token")).status == 200)
            expectProblem(try await client.get(queue, headers: Self.auth("p-token")), 403, "forbidden")
            // Receive and settle: consume.
            expectProblem(
                try await client.post(queue + "/receive", json: "{}", headers: Self.auth("p-token")), 403, "forbidden")
            let received = try await client.post(queue + "/receive", json: "{}", headers: Self.auth("c-token"))
            #expect(received.status == 200)
            let receipt = try #require(received.messages.first?["receipt"].str)
            for action in ["renew", "release", "reject", "ack"] {
                expectProblem(
                    try await client.post(
                        queue + "/" + action, json: #"{"receipts":["\#(receipt)"]}"#, headers: Self.auth("p-token")),
                    403, "forbidden")
            }
            let acked = try await client.post(
                queue + "/ack", json: #"{"receipts":["\#(receipt)"]}"#, headers: Self.auth("c-token"))
            #expect(acked.status == 200)
            // Delete: admin.
            expectProblem(try await client.delete(queue, headers: Self.auth("c-token")), 403, "forbidden")
            #expect(try await client.delete(queue, headers: Self.auth("oa-token")).status == 204)
        }
    }

    // MARK: Subscriptions

    @Test func subscriptions_NeedAdminToManage_ConsumeToRead() async throws {
        try await Self.withSecuredServer { client async throws in
            let base = "/v1/topics/orders/subscriptions"
            let create = #"{"name":"hook","url":"http://127.0.0.1:9/none"}"#
            expectProblem(try await client.post(base, json: create, headers: Self.auth("c-token")), 403, "forbidden")
            expectProblem(try await client.post(base, json: create, headers: Self.auth("p-token")), 403, "forbidden")
            let created = try await client.post(base, json: create, headers: Self.auth("oa-token"))
            #expect(created.status == 201, "\(created.text)")
            // Reads: consume.
            #expect(try await client.get(base, headers: Self.auth("c-token")).status == 200)
            #expect(try await client.get(base + "/hook", headers: Self.auth("c-token")).status == 200)
            expectProblem(try await client.get(base, headers: Self.auth("p-token")), 403, "forbidden")
            expectProblem(try await client.get(base + "/hook", headers: Self.auth("p-token")), 403, "forbidden")
            expectProblem(try await client.get(base + "/hook"), 401, "unauthorized")
            // Pause, seek, delete: admin.
            let pause = #"{"paused":true}"#
            expectProblem(
                try await client.patch(base + "/hook", json: pause, headers: Self.auth("c-token")), 403, "forbidden")
            #expect(try await client.patch(base + "/hook", json: pause, headers: Self.auth("oa-token")).status == 200)
            let seek = #"{"to":"earliest"}"#
            expectProblem(
                try await client.post(base + "/hook/seek", json: seek, headers: Self.auth("c-token")), 403, "forbidden")
            #expect(
                try await client.post(base + "/hook/seek", json: seek, headers: Self.auth("oa-token")).status == 200)
            expectProblem(try await client.delete(base + "/hook", headers: Self.auth("c-token")), 403, "forbidden")
            #expect(try await client.delete(base + "/hook", headers: Self.auth("oa-token")).status == 204)
            // Another topic's subscriptions are out of reach of an orders-only admin.
            expectProblem(
                try await client.post(
                    "/v1/topics/payments/subscriptions", json: create, headers: Self.auth("oa-token")),
                403, "forbidden")
        }
    }

    // MARK: Declarations

    @Test func everyRoute_DeclaresAnAccessRule() async throws {
        try await withTestServer { server, _ async throws in
            let undeclared = server.server.api.makeRouter().routes.filter { !($0.policy is AccessRule) }
                .map { "\($0.method) \($0.pattern)" }
            #expect(
                undeclared.isEmpty,
                "routes without an access rule (register them with router.add(_:_:needs:_:)): \(undeclared)")
        }
    }

    @Test func server_IsOpen_WithoutAuthFile() async throws {
        try await withTestServer { _, client async throws in
            #expect(try await client.get("/v1/topics").status == 200)
            #expect(try await client.post("/v1/topics", json: #"{"name":"a"}"#).status == 201)
        }
    }
}
