import CRdkafka

/// Owns one `rd_kafka_t` and destroys it when released.
///
/// librdkafka's handle is thread-safe for everything this module calls on it (produce, poll, metadata, admin
/// requests, watermark queries), hence `@unchecked Sendable`. `rd_kafka_destroy` blocks until librdkafka's own
/// threads stop (normally milliseconds; it may wait for in-flight requests up to `socket.timeout.ms`), so the last
/// reference must not be dropped on an event-loop thread: the public types release it in `close()`.
final class KafkaClientHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    /// Kept alive as long as the client: librdkafka's opaque points at it.
    private let callbacks: KafkaClientCallbacks

    /// Creates a client of `type` from `configuration` plus `extra` properties (applied last); `prepare` may
    /// install more callbacks on the native configuration first.
    init(
        type: rd_kafka_type_t, configuration: KafkaConfiguration, extra: [(key: String, value: String)],
        prepare: (OpaquePointer) -> Void = { _ in },
        rebalance: KafkaRebalanceHandler? = nil
    ) throws(KafkaError) {
        let conf = try configuration.makeNative(extra: extra)
        callbacks = KafkaClientCallbacks(logHandler: configuration.logHandler, rebalanceHandler: rebalance)
        callbacks.install(on: conf)
        prepare(conf)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)  // rd_kafka_new takes the configuration only on success
            throw KafkaError(
                code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, message: string(errstr), isRetriable: false)
        }
        pointer = handle
    }

    deinit {
        rd_kafka_destroy(pointer)
    }
}

/// Milliseconds for a librdkafka timeout argument, clamped to `Int32` (negative durations become 0).
func milliseconds(_ duration: Duration) -> Int32 {
    let (seconds, attoseconds) = duration.components
    let total = seconds.multipliedReportingOverflow(by: 1_000)
    guard !total.overflow else { return seconds < 0 ? 0 : Int32.max }
    return Int32(clamping: max(0, total.partialValue + attoseconds / 1_000_000_000_000_000))
}

/// Bytes of a C buffer, or nil for a NULL pointer (a null key or value).
func bytes(_ pointer: UnsafeRawPointer?, count: Int) -> [UInt8]? {
    guard let pointer else { return nil }
    return [UInt8](UnsafeRawBufferPointer(start: pointer, count: count))
}

/// A Swift string from a possibly-NULL C string.
func string(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}

/// The text of a NUL-terminated `errstr` buffer filled by librdkafka.
func string(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
