import FerryBroker
import FerryHTTP
import FerryJSON

/// `GET /v1/cluster`: the gateways sharing this node's state, where they answer, whether they are alive and
/// what they own (one node on the embedded engine).
extension FerryAPI {
    func addClusterRoutes(to router: inout Router) {
        router.add(.GET, "/v1/cluster", needs: .authenticated) { [self] _, responder in
            var writer = JSONWriter(capacity: 512)
            writer.beginObject()
            writer.key(ascii: "cluster")
            writer.string(cluster.clusterName)
            writer.key(ascii: "node_id")
            writer.string(cluster.nodeID)
            writer.key(ascii: "nodes")
            writer.beginArray()
            for node in cluster.nodes() {
                writer.beginObject()
                writer.key(ascii: "node_id")
                writer.string(node.nodeID)
                writer.key(ascii: "url")
                writer.string(node.url)
                writer.key(ascii: "alive")
                writer.bool(node.alive)
                writer.key(ascii: "owns")
                writer.beginObject()
                writer.key(ascii: "groups")
                writer.int64(Int64(node.groups))
                writer.key(ascii: "queues")
                writer.int64(Int64(node.queues))
                writer.key(ascii: "subscriptions")
                writer.int64(Int64(node.subscriptions))
                writer.endObject()
                writer.key(ascii: "shards")
                writer.beginArray()
                for shard in node.shards { writer.int64(Int64(shard)) }
                writer.endArray()
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
            responder.respond(.json(writer.take()))
        }
    }
}
