import FerryBroker
import FerryJSON
import FerryMessageJSON

/// A webhook body being filled by one or more partition reads (``SubscriptionRunner/readBatch``): the messages
/// that pass the filter, up to the batch size and byte bound. A value handed from one read's completion to the
/// next (the reads run one at a time), so it needs no lock.
struct BatchScan: Sendable {
    let topic: String
    let partition: Int
    let from: Int64
    let batchSize: Int
    let maxBytes: Int
    private var writer = JSONWriter(capacity: 256)
    /// Past the last message read or skipped.
    private(set) var to: Int64
    private var count = 0
    private var bytes = 0
    /// Whether the batch is complete (size or bytes reached).
    private(set) var full = false

    init(subscription: String, topic: String, partition: Int, from: Int64, batchSize: Int, maxBytes: Int) {
        self.topic = topic
        self.partition = partition
        self.from = from
        self.batchSize = batchSize
        self.maxBytes = maxBytes
        self.to = from
        writer.beginObject()
        writer.key(ascii: "subscription")
        writer.string(subscription)
        writer.key(ascii: "messages")
        writer.beginArray()
    }

    /// Takes `message` into the body if there is room and it passes `config`'s filter; skipped messages move
    /// `to` too.
    mutating func add(_ message: borrowing StoredMessage, filter config: SubscriptionConfig) {
        guard !full else { return }
        let size = (message.key?.count ?? 0) + (message.value?.count ?? 0)
        if count > 0 && bytes + size > maxBytes {
            full = true
            return
        }
        to = message.offset + 1
        guard config.matches(message) else { return }
        MessageEncoding.write(message, topic: topic, partition: partition, base64: false, into: &writer)
        count += 1
        bytes += size
        if count == batchSize { full = true }
    }

    /// The finished body as a batch to send.
    consuming func finish(id: String) -> SubscriptionRunner.PendingBatch {
        writer.endArray()
        writer.endObject()
        return SubscriptionRunner.PendingBatch(from: from, to: to, count: count, body: writer.take(), id: id)
    }
}
