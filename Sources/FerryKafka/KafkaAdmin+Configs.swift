import CRdkafka

/// One topic configuration entry as DescribeConfigs reports it.
public struct KafkaConfigEntry: Sendable, Equatable {
    public var name: String
    /// nil for a sensitive value or one without a value.
    public var value: String?
    public var isDefault: Bool
    public var isReadOnly: Bool
    public var isSensitive: Bool
}

extension KafkaAdmin {
    /// The configuration names Ferry's topic API reads and changes.
    public static let ferryTopicConfigNames: [String] = [
        "retention.ms", "retention.bytes", "segment.bytes", "max.message.bytes", "cleanup.policy",
    ]

    /// Every configuration entry of `topic`, keyed by name. Blocks up to `timeout`.
    public func describeTopicConfig(_ topic: String, timeout: Duration) throws(KafkaError) -> [String: KafkaConfigEntry]
    {
        guard let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic) else {
            throw KafkaError(code: KafkaError.invalidArgumentCode, message: "rd_kafka_ConfigResource_new failed")
        }
        defer { rd_kafka_ConfigResource_destroy(resource) }
        let result = try request(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout: timeout) { options, queue in
            var resources: [OpaquePointer?] = [resource]
            rd_kafka_DescribeConfigs(client.pointer, &resources, 1, options, queue)
        }
        var count = 0
        let described = rd_kafka_DescribeConfigs_result_resources(
            rd_kafka_event_DescribeConfigs_result(result.event), &count)
        guard let described, count > 0, let first = described[0] else {
            throw KafkaError(code: KafkaError.unknownTopicOrPartitionCode, message: "no configuration for \(topic)")
        }
        try KafkaAdmin.checkResource(first)
        var entryCount = 0
        var entries: [String: KafkaConfigEntry] = [:]
        guard let rawEntries = rd_kafka_ConfigResource_configs(first, &entryCount) else { return entries }
        for index in 0..<entryCount {
            guard let entry = rawEntries[index] else { continue }
            let name = string(rd_kafka_ConfigEntry_name(entry))
            entries[name] = KafkaConfigEntry(
                name: name, value: rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) },
                isDefault: rd_kafka_ConfigEntry_is_default(entry) != 0,
                isReadOnly: rd_kafka_ConfigEntry_is_read_only(entry) != 0,
                isSensitive: rd_kafka_ConfigEntry_is_sensitive(entry) != 0)
        }
        return entries
    }

    /// Sets the given configuration entries of `topic` (nil value: back to the default), keeping the others.
    ///
    /// librdkafka 2.0.2 has only the non-incremental AlterConfigs (IncrementalAlterConfigs came in 2.2), which
    /// *replaces* a topic's whole set of explicitly-set entries; so this first describes the topic and sends the
    /// entries that are currently set (not default, not read-only, not sensitive) merged with `changes`. Two
    /// concurrent alterations of one topic can therefore lose one another's change. Blocks up to twice `timeout`.
    public func alterTopicConfig(_ topic: String, _ changes: [String: String?], timeout: Duration) throws(KafkaError) {
        let current = try describeTopicConfig(topic, timeout: timeout)
        var wanted: [String: String] = [:]
        for entry in current.values where !entry.isDefault && !entry.isReadOnly && !entry.isSensitive {
            if let value = entry.value { wanted[entry.name] = value }
        }
        for (name, value) in changes { wanted[name] = value }
        guard let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic) else {
            throw KafkaError(code: KafkaError.invalidArgumentCode, message: "rd_kafka_ConfigResource_new failed")
        }
        defer { rd_kafka_ConfigResource_destroy(resource) }
        for (name, value) in wanted.sorted(by: { $0.key < $1.key }) {
            try KafkaError.check(rd_kafka_ConfigResource_set_config(resource, name, value), "config \(name)")
        }
        let result = try request(RD_KAFKA_ADMIN_OP_ALTERCONFIGS, timeout: timeout) { options, queue in
            var resources: [OpaquePointer?] = [resource]
            rd_kafka_AlterConfigs(client.pointer, &resources, 1, options, queue)
        }
        var count = 0
        let altered = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(result.event), &count)
        if let altered {
            for index in 0..<count {
                if let resource = altered[index] { try KafkaAdmin.checkResource(resource) }
            }
        }
    }

    static func checkResource(_ resource: OpaquePointer) throws(KafkaError) {
        let err = rd_kafka_ConfigResource_error(resource)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(err, message: rd_kafka_ConfigResource_error_string(resource).map { String(cString: $0) })
        }
    }
}
