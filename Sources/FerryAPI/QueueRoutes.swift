import Dispatch
import FerryBroker
import FerryHTTP
import FerryJSON
import Synchronization

/// `/v1/topics/{topic}/queues…` (API.md "Queues"): create, list, status, delete, receive (long-poll), ack,
/// release, reject, renew.
extension FerryAPI {
    /// The most receipts one settle call may carry.
    static let maxReceipts = 1000

    func addQueueRoutes(to router: inout Router) {
        router.add(.POST, "/v1/topics/{topic}/queues", needs: .admin(.topic, .body("dead_letter_topic"))) {
            [self] request, responder in
            guarded(responder) { () throws(APIFailure) in try createQueue(request, responder) }
        }
        router.add(.GET, "/v1/topics/{topic}/queues", needs: .consume(.topic)) { [self] request, responder in
            guarded(responder) { () throws(APIFailure) in
                let statuses: [QueueStatus] = try APIFailure.mapping { () throws(BrokerError) in
                    let topic = request.pathParameter("topic") ?? ""
                    _ = try broker.existingTopic(topic)
                    var statuses: [QueueStatus] = []
                    for shard in broker.localShards { statuses += try shard.queues.list(topic: topic) }
                    return statuses.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
                }
                var writer = JSONWriter(capacity: 512)
                writer.beginObject()
                writer.key(ascii: "queues")
                writer.beginArray()
                for status in statuses { Self.write(status, into: &writer) }
                writer.endArray()
                writer.endObject()
                respondWithClusterList(
                    request, member: "queues", sortKey: "name", localBody: writer.take(),
                    responder)
            }
        }
        router.add(.GET, "/v1/topics/{topic}/queues/{queue}", needs: .consume(.topic)) { [self] request, responder in
            guarded(responder) { () throws(APIFailure) in
                let status: QueueStatus = try APIFailure.mapping { () throws(BrokerError) in
                    let (topic, queue) = (request.pathParameter("topic") ?? "", request.pathParameter("queue") ?? "")
                    return try queues(topic: topic, queue: queue).status(topic: topic, name: queue)
                }
                var writer = JSONWriter(capacity: 256)
                Self.write(status, into: &writer)
                responder.respond(.json(writer.take()))
            }
        }
        router.add(.DELETE, "/v1/topics/{topic}/queues/{queue}", needs: .admin(.topic)) { [self] request, responder in
            guarded(responder) { () throws(APIFailure) in
                // Answered once the deletion is durable (per the flush policy).
                let answer = DurableAnswer.noContent(responder)
                try APIFailure.mapping { () throws(BrokerError) in
                    let (topic, queue) = (request.pathParameter("topic") ?? "", request.pathParameter("queue") ?? "")
                    try queues(topic: topic, queue: queue).delete(topic: topic, name: queue, onDurable: answer.durable)
                }
            }
        }
        router.add(.POST, "/v1/topics/{topic}/queues/{queue}/receive", needs: .consume(.topic)) {
            [self] request, responder in
            guarded(responder) { () throws(APIFailure) in try receive(request, responder) }
        }
        for action in ["ack", "release", "reject", "renew"] {
            router.add(.POST, "/v1/topics/{topic}/queues/{queue}/\(action)", needs: .consume(.topic)) {
                [self] request, responder in
                guarded(responder) { () throws(APIFailure) in try settle(action, request, responder) }
            }
        }
    }

    func createQueue(_ request: HTTPRequest, _ responder: HTTPResponder) throws(APIFailure) {
        let topic = request.pathParameter("topic") ?? ""
        let body = try request.jsonObject()
        guard let name = try body.string("name") else { throw .parameter("name", "is required") }
        var options = QueueOptions()
        if let start = try body.string("start") {
            guard let parsed = OffsetReset(rawValue: start) else {
                throw .parameter("start", "must be 'earliest' or 'latest'")
            }
            options.start = parsed
        }
        options.maxDeliveries = Int(try body.int64("max_deliveries", in: 1...100, default: 5))
        options.deadLetterTopic = try body.string("dead_letter_topic")
        // Answered once the creation is durable (per the flush policy); the status is taken before that.
        let answer = DurableAnswer(responder)
        let status: QueueStatus = try APIFailure.mapping { () throws(BrokerError) in
            try queues(topic: topic, queue: name).create(
                topic: topic, name: name, options: options, onDurable: answer.durable)
        }
        var writer = JSONWriter(capacity: 256)
        Self.write(status, into: &writer)
        answer.respond(.json(writer.take(), status: .created))
    }

    /// `{"name","topic","available","leased","acked","dead_lettered","max_deliveries","dead_letter_topic",
    /// "partitions":[{"partition","floor_offset"}]}`.
    static func write(_ status: QueueStatus, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key(ascii: "name")
        writer.string(status.name)
        writer.key(ascii: "topic")
        writer.string(status.topic)
        writer.key(ascii: "available")
        writer.int64(status.available)
        writer.key(ascii: "leased")
        writer.int64(status.leased)
        writer.key(ascii: "acked")
        writer.int64(status.acked)
        writer.key(ascii: "dead_lettered")
        writer.int64(status.deadLettered)
        writer.key(ascii: "max_deliveries")
        writer.int64(Int64(status.maxDeliveries))
        writer.key(ascii: "dead_letter_topic")
        writer.string(status.deadLetterTopic)
        writer.key(ascii: "partitions")
        writer.beginArray()
        for partition in status.partitions {
            writer.beginObject()
            writer.key(ascii: "partition")
            writer.int64(Int64(partition.partition))
            writer.key(ascii: "floor_offset")
            writer.int64(partition.floorOffset)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    /// `{"receipts": [...]}` plus `delay_ms` (release) or `lease_ms` (renew).
    func settle(_ action: String, _ request: HTTPRequest, _ responder: HTTPResponder) throws(APIFailure) {
        let topic = request.pathParameter("topic") ?? ""
        let queue = request.pathParameter("queue") ?? ""
        let body = try request.jsonObject()
        guard let receipts = try body.stringArray("receipts") else { throw .parameter("receipts", "is required") }
        guard receipts.count <= Self.maxReceipts else {
            throw .parameter("receipts", "must hold at most \(Self.maxReceipts) receipts")
        }
        let settlement: QueueSettlement
        switch action {
        case "ack": settlement = .ack
        case "reject": settlement = .reject
        case "release":
            settlement = .release(delayMilliseconds: try body.int64("delay_ms", in: 0...43_200_000, default: 0))
        default:
            settlement = .renew(leaseMilliseconds: try body.int64("lease_ms", in: 100...43_200_000, default: 30_000))
        }
        try APIFailure.mapping { () throws(BrokerError) in
            try queues(topic: topic, queue: queue).settle(topic: topic, name: queue, receipts: receipts, settlement) {
                result in
                switch result {
                case .success(let statuses):
                    var writer = JSONWriter(capacity: 64 + 64 * receipts.count)
                    writer.beginObject()
                    writer.key(ascii: "results")
                    writer.beginArray()
                    for (receipt, status) in zip(receipts, statuses) {
                        writer.beginObject()
                        writer.key(ascii: "receipt")
                        writer.string(receipt)
                        writer.key(ascii: "status")
                        writer.string(status.rawValue)
                        writer.endObject()
                    }
                    writer.endArray()
                    writer.endObject()
                    responder.respond(.json(writer.take()))
                case .failure(let error):
                    responder.respond(ProblemMapping.response(for: error))
                }
            }
        }
    }
}
