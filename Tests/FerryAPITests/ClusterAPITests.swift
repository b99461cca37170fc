import FerryAPITesting
import FerryJSON
import Testing

/// `GET /v1/cluster` on one node (API.md "Storage engines and clusters"): the node itself, alive, owning
/// everything; the counts follow what is created.
@Suite("Cluster API")
struct ClusterAPITests {
    @Test(arguments: [APITestMode.inProcess, .kafka])
    func cluster_OnOneNode_ListsThisNode_OwningWhatExists(mode: APITestMode) async throws {
        try await withTestServer(mode) { _, api in
            try await api.createTopic("orders", partitions: 2)
            let empty = try await api.get("/v1/cluster")
            #expect(empty.status == 200, "\(empty.text)")
            #expect(empty["cluster"].str == "ferry")
            let nodes = try #require(empty["nodes"].list)
            #expect(nodes.count == 1)
            let node = try #require(nodes.first)
            #expect(node["alive"] == .bool(true) && node["node_id"].str == empty["node_id"].str)
            #expect(try #require(node["owns"])["groups"].int == 0 && node["shards"].list?.count == 1)

            let joined = try await api.post("/v1/groups/billing/members", json: #"{"topics":["orders"]}"#)
            #expect(joined.status == 200 || joined.status == 201, "\(joined.text)")
            let queue = try await api.post("/v1/topics/orders/queues", json: #"{"name":"jobs"}"#)
            #expect(queue.status == 201, "\(queue.text)")
            let after = try #require(try await api.get("/v1/cluster")["nodes"].list?.first)
            let owns = try #require(after["owns"])
            #expect(owns["groups"].int == 1 && owns["queues"].int == 1 && owns["subscriptions"].int == 0)
        }
    }
}
