import FerryAPITesting
import FerryJSON
import FerryKafka
import FerryServer
import FerryTesting
import Testing

/// Groups, queues and subscriptions keep their state in `__ferry_*` topics of the cluster: a new gateway on
/// the same cluster sees what the previous one committed.
@Suite("Kafka engine journals")
struct KafkaJournalTests {
    @Test func committedOffsets_QueueAcks_AndSubscriptions_SurviveAGatewayRestart() async throws {
        let cluster = try KafkaMockCluster(brokers: 3)
        let first = try await onDispatchThread { try startKafkaServer(on: cluster) }
        do {
            let api = first.api
            try await api.createTopic("orders", partitions: 2)
            #expect(try await api.post("/v1/topics/orders/queues", json: #"{"name":"work"}"#).status == 201)
            _ = try await api.produce("orders", records: (0..<6).map { #"{"key":"k\#($0)","value":\#($0)}"# })
            let commit = try await api.post(
                "/v1/groups/billing/offsets",
                json: #"{"topic":"orders","to":{"offset":1}}"#)
            #expect(commit.status == 200, "\(commit.text)")
            let received = try await api.post("/v1/topics/orders/queues/work/receive", json: #"{"max_messages":2}"#)
            let receipts = received.messages.compactMap { $0["receipt"].str }
            #expect(receipts.count == 2, "\(received.text)")
            let acked = try await api.post(
                "/v1/topics/orders/queues/work/ack",
                json: #"{"receipts":["# + receipts.map { "\"\($0)\"" }.joined(separator: ",") + "]}")
            #expect(acked.status == 200, "\(acked.text)")
        }
        try await onDispatchThread { first.server.shutdown() }

        let second = try await onDispatchThread { try startKafkaServer(on: cluster) }
        defer { second.server.shutdown() }
        let api = second.api
        #expect(try await api.get("/v1/topics/orders")["partition_count"].int == 2)
        let group = try await api.get("/v1/groups/billing")
        #expect(group.status == 200, "\(group.text)")
        #expect(group["offsets"].list?.compactMap { $0["committed_offset"].int } == [1, 1], "\(group.text)")
        let queue = try await api.get("/v1/topics/orders/queues/work")
        #expect(queue["acked"].int == 2, "\(queue.text)")
    }
}
