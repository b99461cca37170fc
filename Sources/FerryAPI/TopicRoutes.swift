import Dispatch
import FerryBroker
import FerryHTTP
import FerryJSON
import Synchronization

/// `/v1/topics` and `/v1/topics/{topic}`: create, list, describe, alter, delete.
extension FerryAPI {
    func addTopicRoutes(to router: inout Router) {
        router.add(.POST, "/v1/topics", needs: .admin(.body("name"))) { [self] request, responder in
            offloadingTopicAdministration { [self] in
                guarded(responder) { () throws(APIFailure) in
                    let body = try request.jsonObject()
                    guard let name = try body.string("name") else { throw .parameter("name", "is required") }
                    let partitions = try body.int64("partitions", in: Int64.min...Int64.max, default: 1)
                    guard (1...Int64(Broker.maxPartitions)).contains(partitions) else {
                        throw APIFailure(
                            BrokerError.invalidPartitions("partitions must be between 1 and \(Broker.maxPartitions)"))
                    }
                    var config = broker.configuration.defaultTopicConfig
                    try Self.applyConfig(body["config"], to: &config)
                    try APIFailure.mapping { () throws(BrokerError) in
                        let description = try broker.createTopic(
                            name: name, partitions: Int(partitions), config: config)
                        responder.respond(.json(Self.encode(description), status: .created))
                    }
                }
            }
        }
        router.add(.GET, "/v1/topics", needs: .authenticated) { [self] request, responder in
            let visible = topicVisibility(for: request)
            var writer = JSONWriter(capacity: 256)
            writer.beginObject()
            writer.key(ascii: "topics")
            writer.beginArray()
            for topic in broker.listTopics() where visible(topic.name) {
                writer.beginObject()
                writer.key(ascii: "name")
                writer.string(topic.name)
                writer.key(ascii: "partition_count")
                writer.int64(Int64(topic.partitionCount))
                writer.key(ascii: "messages")
                writer.int64(topic.messages)
                if let bytes = topic.bytes {
                    writer.key(ascii: "bytes")
                    writer.int64(bytes)
                }
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
            responder.respond(.json(writer.take()))
        }
        router.add(.GET, "/v1/topics/{topic}", needs: .read(.topic)) { [self] request, responder in
            guarded(responder) { () throws(APIFailure) in
                try APIFailure.mapping { () throws(BrokerError) in
                    let description = try broker.describeTopic(request.pathParameter("topic") ?? "")
                    responder.respond(.json(Self.encode(description)))
                }
            }
        }
        router.add(.PATCH, "/v1/topics/{topic}", needs: .admin(.topic)) { [self] request, responder in
            offloadingTopicAdministration { [self] in
                guarded(responder) { () throws(APIFailure) in
                    let body = try request.jsonObject()
                    let partitions = try body.int64("partitions", in: Int64.min...Int64.max)
                    if let partitions, !(1...Int64(Broker.maxPartitions)).contains(partitions) {
                        throw APIFailure(
                            BrokerError.invalidPartitions("partitions must be between 1 and \(Broker.maxPartitions)"))
                    }
                    // Validate the config patch before touching the topic.
                    var probe = TopicConfig()
                    try Self.applyConfig(body["config"], to: &probe)
                    let patch = body["config"]
                    try APIFailure.mapping { () throws(BrokerError) in
                        let description = try broker.alterTopic(
                            request.pathParameter("topic") ?? "", partitions: partitions.map { Int($0) }
                        ) { (config: inout TopicConfig) throws(BrokerError) in
                            // Already validated on `probe`: the keys' checks do not depend on the current values.
                            try? Self.applyConfig(patch, to: &config)
                        }
                        responder.respond(.json(Self.encode(description)))
                    }
                }
            }
        }
        router.add(.DELETE, "/v1/topics/{topic}", needs: .admin(.topic)) { [self] request, responder in
            offloadingTopicAdministration { [self] in
                guarded(responder) { () throws(APIFailure) in
                    try APIFailure.mapping { () throws(BrokerError) in
                        try broker.deleteTopic(request.pathParameter("topic") ?? "")
                        responder.respond(HTTPResponse(status: .noContent))
                    }
                }
            }
        }
    }

    /// Applies a `config` object (absent or null: nothing) to `config`; 400 invalid-config on any bad key.
    static func applyConfig(_ value: JSONValue?, to config: inout TopicConfig) throws(APIFailure) {
        guard let value, !value.isNull else { return }
        guard case .object(let object) = value else {
            throw APIFailure(BrokerError.invalidConfig("config must be an object"))
        }
        do {
            let defaults = TopicConfig()
            for member in object {
                switch member.value {
                case .null:
                    try config.reset(member.key, to: defaults)
                case .number(let number):
                    guard number.isInteger, let int = try? number.int64 else {
                        throw BrokerError.invalidConfig("\(member.key) must be an integer")
                    }
                    try config.set(member.key, integer: int)
                case .string(let string):
                    try config.set(member.key, string: string)
                default:
                    throw BrokerError.invalidConfig("\(member.key) has the wrong type")
                }
            }
        } catch let error as BrokerError {
            throw APIFailure(error)
        } catch {
            throw APIFailure(BrokerError.invalidConfig("\(error)"))
        }
    }

    static func encode(_ description: TopicDescription) -> [UInt8] {
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        writer.key(ascii: "name")
        writer.string(description.name)
        writer.key(ascii: "partition_count")
        writer.int64(Int64(description.partitionCount))
        writer.key(ascii: "partitions")
        writer.beginArray()
        for p in description.partitions {
            writer.beginObject()
            writer.key(ascii: "partition")
            writer.int64(Int64(p.partition))
            writer.key(ascii: "start_offset")
            writer.int64(p.startOffset)
            writer.key(ascii: "end_offset")
            writer.int64(p.endOffset)
            // Absent where the engine cannot tell (Kafka).
            if let bytes = p.bytes {
                writer.key(ascii: "bytes")
                writer.int64(bytes)
            }
            if let segments = p.segments {
                writer.key(ascii: "segments")
                writer.int64(Int64(segments))
            }
            writer.endObject()
        }
        writer.endArray()
        writer.key(ascii: "config")
        writeConfig(description.config, into: &writer)
        writer.key(ascii: "created_at")
        writer.int64(description.createdAt)
        writer.endObject()
        return writer.take()
    }

    static func writeConfig(_ config: TopicConfig, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key(ascii: "retention_ms")
        writer.int64(config.retentionMs)
        writer.key(ascii: "retention_bytes")
        writer.int64(config.retentionBytes)
        writer.key(ascii: "segment_bytes")
        writer.int64(config.segmentBytes)
        writer.key(ascii: "max_message_bytes")
        writer.int64(config.maxMessageBytes)
        writer.key(ascii: "cleanup_policy")
        writer.string(config.cleanupPolicy)
        writer.endObject()
    }
}

extension FerryAPI {
    /// Runs `work` at once, or on a Dispatch worker when the storage's topic administration waits for the
    /// network (Kafka), so no event-loop thread blocks on a cluster controller.
    func offloadingTopicAdministration(_ work: @escaping @Sendable () -> Void) {
        guard broker.storage.topicAdministrationBlocks else { return work() }
        DispatchQueue.global().async(execute: work)
    }
}
