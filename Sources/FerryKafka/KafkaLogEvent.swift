import CRdkafka

/// A log line or a client-level error from librdkafka, handed to ``KafkaConfiguration/logHandler``.
public struct KafkaLogEvent: Sendable, Equatable {
    /// syslog severity: 0 emergency … 3 error, 4 warning, 6 info, 7 debug.
    public var level: Int32
    /// librdkafka's facility tag (`FAIL`, `REQTMOUT`, `BROKERFAIL`, …; `ERROR` for the error callback).
    public var facility: String
    public var message: String
    /// librdkafka's client instance name (`rdkafka#producer-1`).
    public var client: String
    /// For client-level errors (the error callback), the error; nil for plain log lines.
    public var error: KafkaError?
}

/// Retained by a ``KafkaClientHandle`` as its librdkafka opaque; read from librdkafka's threads.
/// librdkafka's rebalance callback for one client: the client, `_ASSIGN_PARTITIONS` / `_REVOKE_PARTITIONS` (or an
/// error), and the partitions; called on the thread that polls the consumer.
typealias KafkaRebalanceHandler =
    @Sendable (OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void

final class KafkaClientCallbacks: Sendable {
    let logHandler: (@Sendable (KafkaLogEvent) -> Void)?
    /// A group member's rebalance callback (see ``KafkaGroupMembership``), called on the polling thread.
    let rebalanceHandler: KafkaRebalanceHandler?

    init(
        logHandler: (@Sendable (KafkaLogEvent) -> Void)?,
        rebalanceHandler: KafkaRebalanceHandler? = nil
    ) {
        self.logHandler = logHandler
        self.rebalanceHandler = rebalanceHandler
    }

    /// Points `conf`'s opaque at `self` (unretained: the handle keeps `self` alive longer than the client) and, if
    /// there is a handler, routes librdkafka's log and error callbacks to it instead of stderr.
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        if rebalanceHandler != nil {
            rd_kafka_conf_set_rebalance_cb(conf) { client, code, partitions, opaque in
                guard let client, let partitions, let opaque else { return }
                let callbacks = Unmanaged<KafkaClientCallbacks>.fromOpaque(opaque).takeUnretainedValue()
                callbacks.rebalanceHandler?(client, code, partitions)
            }
        }
        guard logHandler != nil else { return }
        rd_kafka_conf_set_log_cb(conf) { client, level, facility, buffer in
            guard let client, let callbacks = KafkaClientCallbacks.of(client) else { return }
            callbacks.logHandler?(
                KafkaLogEvent(
                    level: level, facility: facility.map { String(cString: $0) } ?? "",
                    message: buffer.map { String(cString: $0) } ?? "",
                    client: String(cString: rd_kafka_name(client)), error: nil))
        }
        rd_kafka_conf_set_error_cb(conf) { client, code, reason, opaque in
            guard let client, let opaque else { return }
            let callbacks = Unmanaged<KafkaClientCallbacks>.fromOpaque(opaque).takeUnretainedValue()
            let message = reason.map { String(cString: $0) }
            callbacks.logHandler?(
                KafkaLogEvent(
                    level: 3, facility: "ERROR", message: message ?? "", client: String(cString: rd_kafka_name(client)),
                    error: KafkaError(code: code, message: message)))
        }
    }

    static func of(_ client: OpaquePointer) -> KafkaClientCallbacks? {
        guard let opaque = rd_kafka_opaque(client) else { return nil }
        return Unmanaged<KafkaClientCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    }
}
