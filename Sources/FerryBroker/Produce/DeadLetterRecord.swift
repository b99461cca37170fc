/// Building dead letters: the one place that copies a stored message into a produce batch for a dead-letter
/// topic (queues and webhook subscriptions both use it).
public enum DeadLetterRecord {
    /// Header names added to every dead letter, whoever dead-letters it.
    public static let originTopic = "ferry-origin-topic"
    public static let originPartition = "ferry-origin-partition"
    public static let originOffset = "ferry-origin-offset"

    /// Adds `message` (read from `topic`/`partition`) to `batch` as a dead letter: same key, value (and its
    /// format) and headers, plus the `ferry-origin-*` headers and then `extra` (e.g. `ferry-delivery-count`,
    /// `ferry-last-error`). Headers of an earlier dead-lettering (`ferry-origin-*` and the `extra` names) are
    /// replaced, not repeated. The record gets no explicit partition (keyed by its key, as a produce).
    public static func append(
        _ message: borrowing StoredMessage, topic: String, partition: Int, extra: [(name: String, value: String)],
        to batch: inout ProduceBatch
    ) {
        let key = message.key.map { batch.store($0) }
        let value = message.value.map { batch.store($0) }
        let firstHeader = batch.headers.count
        for header in message.headers {
            guard !isReplaced(header.name, extra: extra) else { continue }
            _ = batch.addHeader(name: batch.store(header.name), value: batch.store(header.value))
        }
        let added: [(name: String, value: String)] =
            [(originTopic, topic), (originPartition, String(partition)), (originOffset, String(message.offset))] + extra
        for (name, text) in added {
            _ = batch.addHeader(name: batch.store(name.utf8), value: batch.store(text.utf8))
        }
        batch.records.append(
            ProduceBatch.Record(
                key: key, value: value, valueFormat: message.valueFormat, headers: firstHeader..<batch.headers.count,
                partition: nil, timestamp: nil))
    }

    /// Whether a header of the original message is dropped because the dead letter sets it anew.
    static func isReplaced(_ name: UnsafeRawBufferPointer, extra: [(name: String, value: String)]) -> Bool {
        name.starts(with: "ferry-origin-".utf8) || extra.contains { name.elementsEqual($0.name.utf8) }
    }
}
