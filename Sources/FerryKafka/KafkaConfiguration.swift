import CRdkafka

/// Settings for one librdkafka client: the bootstrap servers plus any librdkafka property
/// (`security.protocol`, `sasl.*`, `ssl.*`, `fetch.wait.max.ms`, …) as `key=value` text.
///
/// A value type with no native resources; each client builds its own `rd_kafka_conf_t` from it. Properties are
/// applied in insertion order, and a later value for the same key wins. Properties the wrapper needs for its own
/// contract (idempotence on the producer, no group subscription on the reader) are applied after these.
public struct KafkaConfiguration: Sendable {
    /// `host:port[,host:port…]`, librdkafka's `bootstrap.servers`.
    public var bootstrapServers: String
    /// librdkafka properties in the order they are applied.
    public private(set) var properties: [(key: String, value: String)]
    /// Receives librdkafka's log lines and client-level errors (broker down, all brokers down) instead of stderr.
    /// Called on librdkafka's internal threads: it must be quick and must not call back into the client.
    public var logHandler: (@Sendable (KafkaLogEvent) -> Void)?

    public init(bootstrapServers: String, properties: [(key: String, value: String)] = []) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
    }

    /// Parses `key=value` items (the `--kafka-config` option); throws ``KafkaError`` naming an item without `=`.
    public init(bootstrapServers: String, pairs: [String]) throws(KafkaError) {
        self.init(bootstrapServers: bootstrapServers)
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw KafkaError(
                    code: KafkaError.invalidArgumentCode, message: "expected key=value, got \"\(pair)\"", key: pair)
            }
            set(String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
        }
    }

    /// Adds (or overrides) one librdkafka property.
    public mutating func set(_ key: String, _ value: String) {
        properties.removeAll { $0.key == key }
        properties.append((key, value))
    }

    /// The value set for `key`, if any.
    public func value(for key: String) -> String? {
        properties.last { $0.key == key }?.value
    }

    /// Checks every property with librdkafka without connecting anywhere; throws the first bad one.
    public func validate() throws(KafkaError) {
        let conf = try makeNative(extra: [])
        rd_kafka_conf_destroy(conf)
    }

    /// A new `rd_kafka_conf_t` (the caller owns it until `rd_kafka_new` takes it) with the bootstrap servers, the
    /// user's properties, then `extra`. Throws a ``KafkaError`` whose ``KafkaError/key`` names the bad property
    /// and whose message is librdkafka's `errstr`.
    func makeNative(extra: [(key: String, value: String)]) throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL.rawValue, message: "rd_kafka_conf_new failed")
        }
        var all = [(key: "bootstrap.servers", value: bootstrapServers)]
        if bootstrapServers.isEmpty { all.removeAll() }
        all += properties
        all += extra
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in all {
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                let detail = string(errstr)
                throw KafkaError(code: KafkaError.invalidArgumentCode, message: detail, isRetriable: false, key: key)
            }
        }
        return conf
    }
}
