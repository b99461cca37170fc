import CRdkafka
import CRdkafkaShim

/// An error from librdkafka or from a Kafka broker, as librdkafka reports it.
///
/// librdkafka has some 150 error codes (`rd_kafka_resp_err_t`: negative ones are the client's own, positive ones
/// are Kafka protocol codes), so this is a struct carrying the code rather than a closed enum; the engine built on
/// top maps the few it cares about to `BrokerError` in one place. ``key`` is set only for configuration errors.
public struct KafkaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The raw `rd_kafka_resp_err_t` value (for example `-185` `_TIMED_OUT`, `6` `NOT_LEADER_FOR_PARTITION`).
    public let code: Int32
    /// librdkafka's symbolic name without the `RD_KAFKA_RESP_ERR_` prefix (`_TIMED_OUT`, `NOT_LEADER_FOR_PARTITION`).
    public let name: String
    /// The human-readable message: librdkafka's error string, or the detail it attached to this failure.
    public let message: String
    /// Whether the same request may succeed if tried again (librdkafka's `rd_kafka_error_is_retriable` where an
    /// error object exists, else Kafka's retriable codes and transport-level failures).
    public let isRetriable: Bool
    /// Whether the client can no longer be used (a fatal idempotence or transaction error): close and recreate it.
    public let isFatal: Bool
    /// The configuration property this error is about (``KafkaConfiguration``), if any.
    public let key: String?

    public init(
        code: Int32, message: String? = nil, isRetriable: Bool? = nil, isFatal: Bool = false, key: String? = nil
    ) {
        let err = rd_kafka_resp_err_t(code)
        self.code = code
        name = String(cString: rd_kafka_err2name(err))
        self.message = message ?? String(cString: rd_kafka_err2str(err))
        self.isRetriable =
            isRetriable ?? KafkaError.retriableCodes.contains(code) || ferry_rdkafka_is_transport_error(err) != 0
        self.isFatal = isFatal
        self.key = key
    }

    init(_ err: rd_kafka_resp_err_t, message: String? = nil) {
        self.init(code: err.rawValue, message: message)
    }

    /// Takes ownership of a librdkafka error object (and destroys it).
    init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        self.init(
            code: rd_kafka_error_code(error).rawValue,
            message: rd_kafka_error_string(error).map { String(cString: $0) },
            isRetriable: rd_kafka_error_is_retriable(error) != 0
                || ferry_rdkafka_is_transport_error(rd_kafka_error_code(error)) != 0,
            isFatal: rd_kafka_error_is_fatal(error) != 0
        )
    }

    /// Whether this failure is about reaching the cluster (no connection, name resolution, all brokers down,
    /// a timeout) rather than an answer a broker gave: the engine answers 503 for these.
    public var isTransport: Bool { ferry_rdkafka_is_transport_error(rd_kafka_resp_err_t(code)) != 0 }

    public var description: String {
        let about = key.map { " (\($0))" } ?? ""
        return "Kafka error \(name) [\(code)]\(about): \(message)"
    }

    // MARK: Codes the engine will look at

    public static let timedOutCode: Int32 = RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
    public static let unknownTopicOrPartitionCode: Int32 = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue
    public static let unknownPartitionCode: Int32 = RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION.rawValue
    public static let unknownTopicCode: Int32 = RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC.rawValue
    public static let offsetOutOfRangeCode: Int32 = RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE.rawValue
    public static let topicAlreadyExistsCode: Int32 = RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS.rawValue
    public static let messageTooLargeCode: Int32 = RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE.rawValue
    public static let queueFullCode: Int32 = RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue
    public static let invalidArgumentCode: Int32 = RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue
    public static let stateCode: Int32 = RD_KAFKA_RESP_ERR__STATE.rawValue

    /// Kafka protocol codes whose `retriable` flag is set in Apache Kafka's `Errors` table.
    private static let retriableCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR_INVALID_MSG.rawValue,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE.rawValue,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue,
        RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION.rawValue,
        RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS.rawValue,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE.rawValue,
        RD_KAFKA_RESP_ERR_NOT_COORDINATOR.rawValue,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND.rawValue,
        RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR.rawValue,
        RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH.rawValue,
        RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH.rawValue,
        RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE.rawValue,
        RD_KAFKA_RESP_ERR_PREFERRED_LEADER_NOT_AVAILABLE.rawValue,
        RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS.rawValue,
    ]
}

extension KafkaError {
    /// Throws the error `err` stands for, unless it is `NO_ERROR`.
    static func check(_ err: rd_kafka_resp_err_t, _ message: String? = nil) throws(KafkaError) {
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        throw KafkaError(err, message: message)
    }
}
