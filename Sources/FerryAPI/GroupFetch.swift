import FerryBroker
import FerryJSON
import FerryMessageJSON
import Synchronization

/// One member fetch being answered: the member's partitions are read in turn (one read at a time, each on the
/// thread the previous one completed on) into `{"messages": [...]`, within the fetch's message and byte limits.
/// The lock only hands the state between those threads safely.
final class GroupFetch: Sendable {
    struct State {
        var writer = JSONWriter(capacity: 4096)
        var count = 0
        var bytes = 0
        var advanced: [TopicPartition: (from: Int64, to: Int64)] = [:]
        /// Set once a message did not fit: the answer is complete.
        var stopped = false
    }

    let limits: FetchLimits
    private let state: Mutex<State>

    init(limits: FetchLimits) {
        self.limits = limits
        var state = State()
        state.writer.beginObject()
        state.writer.key(ascii: "messages")
        state.writer.beginArray()
        self.state = Mutex(state)
    }

    /// Reads `positions` in turn while there is room, then calls `done`.
    func read(
        _ positions: ArraySlice<(partition: TopicPartition, offset: Int64)>, broker: Broker,
        done: @escaping @Sendable () -> Void
    ) {
        let (count, bytes, stopped) = state.withLock { ($0.count, $0.bytes, $0.stopped) }
        guard let (tp, offset) = positions.first, !stopped, count < limits.limit, bytes < limits.maxBytes else {
            return done()
        }
        let rest = positions.dropFirst()
        guard let storage = try? broker.partition(topic: tp.topic, partition: tp.partition) else {
            return read(rest, broker: broker, done: done)
        }
        // The storage returns at least one message per read; only the first message of the whole answer may
        // exceed max_bytes, so a later partition's message that does not fit is left for the next fetch.
        let allowance = count == 0 ? limits.maxBytes : limits.maxBytes - bytes
        storage.read(from: offset, maxMessages: limits.limit - count, maxBytes: allowance) { [self] result in
            // A failed read: retention or re-creation moved the partition; beginFetch fixes the position next time.
            if case .success(let batch) = result { take(batch, of: tp, from: offset) }
            read(rest, broker: broker, done: done)
        }
    }

    /// Encodes the messages of `batch` that fit and notes how far `tp` advanced.
    private func take(_ batch: any StoredBatch, of tp: TopicPartition, from offset: Int64) {
        let limits = self.limits
        state.withLock { state in
            var stoppedAt: Int64?
            batch.forEach { message in
                let size = (message.key?.count ?? 0) + (message.value?.count ?? 0)
                if stoppedAt != nil || (state.count > 0 && state.bytes + size > limits.maxBytes) {
                    if stoppedAt == nil { stoppedAt = message.offset }
                    return
                }
                MessageEncoding.write(
                    message, topic: tp.topic, partition: tp.partition, base64: limits.base64, into: &state.writer)
                state.count += 1
                state.bytes += size
            }
            let next = stoppedAt ?? batch.position.nextOffset
            if next != offset { state.advanced[tp] = (offset, next) }
            if stoppedAt != nil { state.stopped = true }
        }
    }

    /// Closes the messages array, lets `rest` write the answer's remaining members, closes the object; returns
    /// the body, the message count and how far each partition advanced.
    func finish(_ rest: (inout JSONWriter) -> Void) -> (
        body: [UInt8], count: Int, advanced: [TopicPartition: (from: Int64, to: Int64)]
    ) {
        state.withLock { state in
            state.writer.endArray()
            rest(&state.writer)
            state.writer.endObject()
            return (state.writer.take(), state.count, state.advanced)
        }
    }
}
