import FerryAPI
import FerryAPITesting
import FerryDelivery
import FerryJSON
import FerryServer
import Testing

/// Webhook subscription administration over HTTP: create, list, get, PATCH, DELETE, seek and every error.
struct SubscriptionAdminTests {
    static let statusKeys = [
        "name", "topic", "url", "state", "lag", "delivered", "failed_attempts", "last_status", "last_error",
        "last_delivery_at", "batch_size", "max_attempts", "filter",
    ]

    @Test func create_Answers201WithExactStatus_AndNeverTheSecret() async throws {
        try await withTestServer { _, client in
            try await client.createTopic("orders", partitions: 2)
            try await client.produce("orders", records: [#"{"value":1}"#, #"{"value":2}"#])
            let created = try await client.post(
                "/v1/topics/orders/subscriptions",
                json: #"{"name":"billing","url":"http://127.0.0.1:9/hook","secret":"s3cret","batch_size":5,"#
                    + #""max_attempts":3,"timeout_ms":1000,"start":"latest","headers":{"Authorization":"Bearer x"},"#
                    + #""filter":{"headers":{"type":"order.created"}}}"#)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json?.keys == Self.statusKeys)
            #expect(created["name"].str == "billing" && created["topic"].str == "orders")
            #expect(created["url"].str == "http://127.0.0.1:9/hook" && created["state"].str == "active")
            #expect(created["lag"].int == 0 && created["delivered"].int == 0 && created["failed_attempts"].int == 0)
            #expect(created["last_status"]?.isNull == true && created["last_error"]?.isNull == true)
            #expect(created["last_delivery_at"]?.isNull == true)
            #expect(created["batch_size"].int == 5 && created["max_attempts"].int == 3)
            #expect(created["filter"]?["headers"]?["type"].str == "order.created")
            #expect(!created.text.contains("s3cret"))

            let plain = try await client.post(
                "/v1/topics/orders/subscriptions",
                json: #"{"name":"audit","url":"https://example.com/x","start":"earliest"}"#)
            #expect(plain.status == 201)
            #expect(plain["filter"]?.isNull == true && plain["batch_size"].int == 1 && plain["max_attempts"].int == 8)
            #expect(plain["lag"].int == 2)

            let list = try await client.get("/v1/topics/orders/subscriptions")
            #expect(list.status == 200)
            #expect(list["subscriptions"].list?.map { $0["name"].str } == ["audit", "billing"])
            let one = try await client.get("/v1/topics/orders/subscriptions/billing")
            #expect(one.status == 200 && one.json?.keys == Self.statusKeys && !one.text.contains("s3cret"))
        }
    }

    @Test func create_RejectsBadInput_WithTheRightProblem() async throws {
        try await withTestServer { _, client in
            try await client.createTopic("t")
            let path = "/v1/topics/t/subscriptions"
            func create(_ body: String) async throws -> APIResponse { try await client.post(path, json: body) }
            expectProblem(try await create(#"{"name":"a","url":"ftp://host/x"}"#), 400, "invalid-url")
            expectProblem(try await create(#"{"name":"a","url":"not a url"}"#), 400, "invalid-url")
            expectProblem(try await create(#"{"name":"a"}"#), 400, "invalid-parameter")
            expectProblem(try await create(#"{"url":"http://h/x"}"#), 400, "invalid-parameter")
            expectProblem(try await create(#"{"name":"a b","url":"http://h/x"}"#), 400, "invalid-parameter")
            for field in [
                #""batch_size":0"#, #""batch_size":1001"#, #""max_attempts":0"#, #""max_attempts":101"#,
                #""timeout_ms":99"#, #""start":"middle""#, #""headers":{"X":1}"#, #""headers":{"bad name":"v"}"#,
                #""filter":{"headers":{"a":2}}"#, #""filter":"x""#, #""secret":"whsec_!!!""#,
            ] {
                let response = try await create(#"{"name":"a","url":"http://h/x",\#(field)}"#)
                expectProblem(response, 400, "invalid-parameter")
                let name = field.split(separator: "\"")[0]
                #expect(response["detail"].str?.contains(String(name)) == true, "\(field): \(response.text)")
            }
            expectProblem(try await create("{"), 400, "invalid-json")
            expectProblem(
                try await client.post(
                    path, body: Array(#"{"name":"a","url":"http://h/x"}"#.utf8),
                    headers: [("Content-Type", "text/plain")]),
                415, "unsupported-media-type")
            expectProblem(
                try await client.post("/v1/topics/none/subscriptions", json: #"{"name":"a","url":"http://h/x"}"#), 404,
                "topic-not-found")
            expectProblem(
                try await client.post("/v1/topics/__x/subscriptions", json: #"{"name":"a","url":"http://h/x"}"#), 400,
                "invalid-topic-name")
            #expect(try await create(#"{"name":"a","url":"http://h/x"}"#).status == 201)
            expectProblem(try await create(#"{"name":"a","url":"http://h/y"}"#), 409, "subscription-exists")
        }
    }

    @Test func getPatchDeleteSeek_AnswerNotFoundAndValidate() async throws {
        try await withTestServer { _, client in
            try await client.createTopic("t", partitions: 2)
            let base = "/v1/topics/t/subscriptions"
            expectProblem(try await client.get(base + "/nope"), 404, "subscription-not-found")
            expectProblem(
                try await client.patch(base + "/nope", json: #"{"paused":true}"#), 404, "subscription-not-found")
            expectProblem(try await client.delete(base + "/nope"), 404, "subscription-not-found")
            expectProblem(
                try await client.post(base + "/nope/seek", json: #"{"to":"earliest"}"#), 404, "subscription-not-found")
            expectProblem(try await client.get("/v1/topics/none/subscriptions/x"), 404, "topic-not-found")
            expectProblem(try await client.get("/v1/topics/none/subscriptions"), 404, "topic-not-found")
            #expect(try await client.post(base, json: #"{"name":"s","url":"http://127.0.0.1:9/x"}"#).status == 201)
            try await client.produce("t", records: [#"{"value":1,"partition":0}"#, #"{"value":2,"partition":1}"#])

            let paused = try await client.patch(
                base + "/s",
                json:
                    #"{"paused":true,"url":"http://127.0.0.1:9/y","batch_size":7,"max_attempts":4,"timeout_ms":500,"filter":{"headers":{"k":"v"}},"secret":null,"headers":{"A":"b"}}"#
            )
            #expect(paused.status == 200, "\(paused.text)")
            #expect(paused["state"].str == "paused" && paused["url"].str == "http://127.0.0.1:9/y")
            #expect(paused["batch_size"].int == 7 && paused["max_attempts"].int == 4)
            #expect(paused["filter"]?["headers"]?["k"].str == "v" && paused["lag"].int == 2)
            let unfiltered = try await client.patch(base + "/s", json: #"{"filter":null}"#)
            #expect(unfiltered["filter"]?.isNull == true && unfiltered["state"].str == "paused")
            expectProblem(try await client.patch(base + "/s", json: #"{"url":"gopher://x"}"#), 400, "invalid-url")
            expectProblem(try await client.patch(base + "/s", json: #"{"batch_size":0}"#), 400, "invalid-parameter")
            expectProblem(try await client.patch(base + "/s", json: #"{"paused":"yes"}"#), 400, "invalid-parameter")
            expectProblem(try await client.patch(base + "/s", json: "["), 400, "invalid-json")

            let earliest = try await client.post(base + "/s/seek", json: #"{"to":"earliest"}"#)
            #expect(earliest.status == 200 && earliest["lag"].int == 2)
            let latest = try await client.post(base + "/s/seek", json: #"{"to":"latest"}"#)
            #expect(latest.status == 200 && latest["lag"].int == 0)
            let one = try await client.post(base + "/s/seek", json: #"{"to":{"offset":0,"partition":1}}"#)
            #expect(one.status == 200 && one["lag"].int == 1)
            let timestamp = try await client.post(base + "/s/seek", json: #"{"to":{"timestamp":0}}"#)
            #expect(timestamp.status == 200 && timestamp["lag"].int == 2)
            expectProblem(
                try await client.post(base + "/s/seek", json: #"{"to":{"offset":5,"partition":0}}"#), 416,
                "offset-out-of-range")
            expectProblem(
                try await client.post(base + "/s/seek", json: #"{"to":{"offset":0,"partition":9}}"#), 404,
                "partition-not-found")
            expectProblem(try await client.post(base + "/s/seek", json: #"{"to":"now"}"#), 400, "invalid-parameter")
            expectProblem(try await client.post(base + "/s/seek", json: #"{}"#), 400, "invalid-parameter")

            #expect(try await client.delete(base + "/s").status == 204)
            expectProblem(try await client.get(base + "/s"), 404, "subscription-not-found")
            #expect(try await client.get(base)["subscriptions"].list?.isEmpty == true)
        }
    }

    @Test func denyPrivate_RefusesLoopbackURLAtCreate() async throws {
        try await withTestServer(configure: { $0.webhooks.denyPrivateNetworks = true }) { _, client in
            try await client.createTopic("t")
            let response = try await client.post(
                "/v1/topics/t/subscriptions", json: #"{"name":"s","url":"http://127.0.0.1:8080/hook"}"#)
            expectProblem(response, 400, "invalid-url")
            expectProblem(
                try await client.post("/v1/topics/t/subscriptions", json: #"{"name":"s","url":"http://localhost/x"}"#),
                400, "invalid-url")
            expectProblem(try await client.get("/v1/topics/t/subscriptions/s"), 404, "subscription-not-found")
        }
    }

    @Test func deletingTheTopic_DeletesItsSubscriptions() async throws {
        try await withTestServer { _, client in
            try await client.createTopic("t")
            #expect(
                try await client.post("/v1/topics/t/subscriptions", json: #"{"name":"s","url":"http://h/x"}"#).status
                    == 201)
            #expect(try await client.delete("/v1/topics/t").status == 204)
            try await client.createTopic("t")
            #expect(try await client.get("/v1/topics/t/subscriptions")["subscriptions"].list?.isEmpty == true)
        }
    }
}
