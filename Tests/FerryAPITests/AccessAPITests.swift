import FerryAPI
import FerryAPITesting
import FerryHTTP
import FerryServer
import FerryTesting
import Testing

/// Access control runs in process too: the router's admission hook checks the bearer token before the handler,
/// and notes the token's name for the access log.
@Suite("Access API")
struct AccessAPITests {
    static let tokens = #"""
        {"tokens": [
          {"name": "root", "token": "root-token", "rights": [{"right": "admin", "topics": "*"}]},
          {"name": "reader", "token": "r-token", "rights": [{"right": "consume", "topics": "orders"}]}
        ]}
        """#

    @Test func admission_Refuses_ThenLetsTheRightTokenThrough() async throws {
        let access = AccessControl(tokens: try AccessTokens.parse(Array(Self.tokens.utf8), path: "tokens.json"))
        try await withTestServer(.inProcess, configure: { $0.accessControl = access }) { server, api in
            expectProblem(try await api.get("/v1/topics"), 401, "unauthorized")
            let root = [(name: "Authorization", value: "Bearer root-token")]
            #expect(try await api.post("/v1/topics", json: #"{"name":"orders"}"#, headers: root).status == 201)
            let reader = [(name: "Authorization", value: "Bearer r-token")]
            let refused = try await api.post("/v1/topics", json: #"{"name":"other"}"#, headers: reader)
            expectProblem(refused, 403, "forbidden")
            #expect(try await api.get("/v1/topics/orders/partitions/0/messages", headers: reader).status == 200)

            let exchange = server.runner.start(
                HTTPRequest(method: .GET, target: "/v1/topics", headers: ["Authorization": "Bearer r-token"]))
            #expect(try await exchange.response().status == .ok)
            #expect(exchange.remoteUser == "reader")
            #expect(exchange.route?.pattern.text == "/v1/topics")
        }
    }
}
