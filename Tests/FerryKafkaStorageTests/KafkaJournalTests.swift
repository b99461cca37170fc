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

    @Test func committedOffsets_AreMirroredToKafkasGroupCoordinator() async throws {
        try await withTestServer(.kafka) { server, api in
            let cluster = try #require(server.mockCluster)
            try await api.createTopic("billed", partitions: 2)
            _ = try await api.produce("billed", records: (0..<4).map { #"{"key":"k\#($0)","value":\#($0)}"# })
            let reset = try await api.post(
                "/v1/groups/invoicing/offsets", json: #"{"topic":"billed","to":{"offset":1}}"#)
            #expect(reset.status == 200, "\(reset.text)")
            // What kafka-consumer-groups --describe --group invoicing reads: the coordinator's committed offsets.
            let admin = try KafkaAdmin(configuration: cluster.configuration())
            let mirrored = try await eventually(seconds: 20) {
                let partitions = [0, 1].map { KafkaTopicPartition(topic: "billed", partition: $0) }
                let offsets = try await onDispatchThread {
                    try admin.groupOffsets("invoicing", partitions: partitions, timeout: .seconds(5))
                }
                return offsets[KafkaTopicPartition(topic: "billed", partition: 0)] == 1
                    && offsets[KafkaTopicPartition(topic: "billed", partition: 1)] == 1
            }
            #expect(mirrored)
        }
    }
}
