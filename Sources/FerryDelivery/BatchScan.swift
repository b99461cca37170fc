import FerryBroker
import FerryJSON
import FerryMessageJSON
import Synchronization

/// A webhook body being filled by one or more partition reads (``SubscriptionRunner/readBatch``): the messages
/// that pass the filter, up to the batch size and byte bound. Reads add to it one at a time (never
/// concurrently); the lock only makes handing it between their threads safe.
final class BatchScan: Sendable {
    struct State {
        var writer = JSONWriter(capacity: 256)
        var to: Int64
        var count = 0
        var bytes = 0
        var full = false
    }

    let topic: String
    let partition: Int
    let from: Int64
    let batchSize: Int
    let maxBytes: Int
    private let state: Mutex<State>

    init(subscription: String, topic: String, partition: Int, from: Int64, batchSize: Int, maxBytes: Int) {
        self.topic = topic
        self.partition = partition
        self.from = from
        self.batchSize = batchSize
        self.maxBytes = maxBytes
        var state = State(to: from)
        state.writer.beginObject()
        state.writer.key(ascii: "subscription")
        state.writer.string(subscription)
        state.writer.key(ascii: "messages")
        state.writer.beginArray()
        self.state = Mutex(state)
    }

    /// Past the last message read or skipped.
    var to: Int64 { state.withLock { $0.to } }
    /// Whether the batch is complete (size or bytes reached).
    var full: Bool { state.withLock { $0.full } }

    /// Takes `message` into the body if there is room and it passes `config`'s filter; skipped messages move
    /// `to` too.
    func add(_ message: borrowing StoredMessage, filter config: SubscriptionConfig) {
        let size = (message.key?.count ?? 0) + (message.value?.count ?? 0)
        let passes = config.matches(message)
        var encoded: JSONWriter?
        if passes {
            var writer = JSONWriter(capacity: 128 + size)
            MessageEncoding.write(message, topic: topic, partition: partition, base64: false, into: &writer)
            encoded = writer
        }
        let offset = message.offset
        state.withLock { state in
            guard !state.full else { return }
            if state.count > 0 && state.bytes + size > maxBytes {
                state.full = true
                return
            }
            state.to = offset + 1
            guard let encoded else { return }
            state.writer.rawJSON(encoded.bytes)
            state.count += 1
            state.bytes += size
            if state.count == batchSize { state.full = true }
        }
    }

    /// The finished body as a batch to send.
    func finish(id: String) -> SubscriptionRunner.PendingBatch {
        state.withLock { state in
            state.writer.endArray()
            state.writer.endObject()
            return SubscriptionRunner.PendingBatch(
                from: from, to: state.to, count: state.count, body: state.writer.take(), id: id)
        }
    }
}
