import FerryBroker
import FerryHTTP
import FerryJSON
import FerryMessageJSON
import FerrySystem
import Synchronization

/// Follows a partition as a Server-Sent Events stream: `id: <offset>`, `event: message`, `data: <message JSON>`,
/// and a `: keep-alive` comment every 15 s without messages. Ends when the client disconnects or the server
/// shuts down.
///
/// A step runs where its wake-up fires (at the end of the appending loop's turn, or on a Dispatch thread) and
/// its events go from there straight to the client's socket when the stream's own loop holds nothing of it
/// (``HTTPStreamWriter/write(_:)``), so an append on another loop is delivered without waking the stream's.
/// One step at a time per stream, because the next step is armed only when the previous one is done. A step
/// writes at most one batch of about ``batchBytes`` and, when more is there, waits until the client has taken
/// the output down to ``drainedBytes`` before reading on: a stream holds about 64 KiB (plus one message)
/// however slowly its client reads, and a client that reads nothing is cut off by the server's idle timeout
/// (with a log line).
final class ServerSentEvents: Sendable {
    static let keepAliveMilliseconds = 15_000
    static let batchBytes = 32 << 10
    static let drainedBytes = 32 << 10
    /// The first allocation of a batch's events: one small message's event fits.
    static let eventCapacity = 512

    let api: FerryAPI
    let writer: HTTPStreamWriter
    let topic: String
    let partition: Int
    let storage: any PartitionStorage
    let limits: FetchLimits
    let position: Mutex<Int64>
    let closed = Atomic<Bool>(false)
    /// Set once the stream is no longer counted in ``FerryAPI/openStreamCount``.
    let uncounted = Atomic<Bool>(false)
    /// The armed wake-up of the current wait, fired by a disconnect.
    let current = Mutex<Wakeup?>(nil)

    init(
        api: FerryAPI, writer: HTTPStreamWriter, topic: String, partition: Int, storage: any PartitionStorage,
        from offset: Int64, limits: FetchLimits
    ) {
        self.api = api
        self.writer = writer
        self.topic = topic
        self.partition = partition
        self.storage = storage
        self.limits = limits
        self.position = Mutex(offset)
    }

    static func start(
        api: FerryAPI, responder: HTTPResponder, topic: String, partition: Int, storage: any PartitionStorage,
        from requested: Int64, lastEventID: Int64?, limits: FetchLimits
    ) {
        var offset = requested
        if let last = lastEventID { offset = last + 1 }
        offset = min(max(offset, storage.startOffset), storage.endOffset)
        let writer = responder.startStream(
            status: .ok,
            headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"])
        let stream = ServerSentEvents(
            api: api, writer: writer, topic: topic, partition: partition, storage: storage, from: offset, limits: limits
        )
        api.openStreams.add(1, ordering: .relaxed)
        writer.onClose {
            stream.uncount()
            stream.closed.store(true, ordering: .releasing)
            stream.current.withLock { $0 }?.fire(.cancelled)
        }
        stream.step(.data)
    }

    /// Sends what is available, then waits for more (or the keep-alive deadline). `mayContinue`: see
    /// ``afterDelivery(mayContinue:)``.
    func step(_ reason: WakeReason, mayContinue: Bool = true) {
        if closed.load(ordering: .acquiring) || reason == .cancelled || !writer.isConnectionOpen {
            writer.finish()
            uncount()
            return
        }
        if reason == .timeout { _ = writer.write(": keep-alive\n\n") }
        send(from: position.withLock { $0 }, mayContinue: mayContinue)
    }

    /// Sends one bounded batch from `offset` and waits for the client to take it (back-pressure) before reading
    /// on, or, with nothing to send, waits for data (or the keep-alive deadline).
    func send(from offset: Int64, mayContinue: Bool) {
        events(from: offset) { [self] result in
            switch result {
            case .failure:
                // Retention moved past us: skip to the start (a read failing there too ends the stream).
                let start = storage.startOffset
                guard start != offset else {
                    writer.finish()
                    uncount()
                    return
                }
                send(from: start, mayContinue: mayContinue)
            case .success(let batch?):
                guard writer.write(batch.events) else {
                    uncount()
                    return
                }
                position.withLock { $0 = batch.next }
                afterDelivery(mayContinue: mayContinue)
            case .success(nil):
                position.withLock { $0 = offset }
                let wakeup = Wakeup(timers: api.timers) { [self] reason in step(reason) }
                api.held.track(wakeup, stream: true)
                let token = storage.waitForAppend(after: offset) { wakeup.fire(.data) }
                wakeup.onFire { [storage] in storage.cancelWait(token) }
                current.withLock { $0 = wakeup }
                if closed.load(ordering: .acquiring) { wakeup.fire(.cancelled) }
                wakeup.fire(after: Self.keepAliveMilliseconds)
            }
        }
    }
}

extension ServerSentEvents {
    /// What follows a delivered batch. A batch that went straight to the client's socket is followed at once by
    /// the next step (usually: arm the wait), once (`mayContinue`); anything else waits for the client to take
    /// the output (``HTTPStreamWriter/whenDrained(below:_:)``, which off the loop hands the step to a Dispatch
    /// thread: one wake-up more per delivery, competing for a core with the client just woken to read it). On a
    /// loop either happens at the end of its next turn (``EndOfTurnQueue/addAfterNextPoll(_:)``): the client just
    /// written to is not held up by the stream arming its next wait, and a stream catching up does not keep the
    /// loop from its other connections.
    func afterDelivery(mayContinue: Bool) {
        let next: @Sendable () -> Void = { [self] in
            if mayContinue && writer.isWrittenThrough {
                step(.data, mayContinue: false)  // one level deep: a second batch goes through whenDrained
            } else {
                writer.whenDrained(below: Self.drainedBytes) { [self] in step(.data) }
            }
        }
        if let turn = EndOfTurnQueue.current { turn.addAfterNextPoll(next) } else { next() }
    }

    /// The events of up to ``batchBytes`` of messages from `offset` and the offset after them, nil when there
    /// is nothing yet, through `completion` (where the read completes).
    func events(
        from offset: Int64,
        completion: @escaping @Sendable (Result<(events: [UInt8], next: Int64)?, BrokerError>) -> Void
    ) {
        let maxBytes = min(limits.maxBytes, Self.batchBytes)
        storage.read(from: offset, maxMessages: limits.limit, maxBytes: maxBytes) { [self] result in
            switch result {
            case .failure(let error):
                completion(.failure(error))
            case .success(let batch):
                // Every event straight into one buffer: no per-event strings or copies (a delivery is
                // usually one event, and this is most of its cost).
                var out = JSONWriter(capacity: Self.eventCapacity)
                batch.forEach { message in
                    out.framing("id: ")
                    out.framing(decimal: message.offset)
                    out.framing("\nevent: message\ndata: ")
                    MessageEncoding.write(
                        message, topic: topic, partition: partition, base64: limits.base64, into: &out)
                    out.framing("\n\n")
                }
                completion(.success(out.bytes.isEmpty ? nil : (out.take(), batch.position.nextOffset)))
            }
        }
    }

    /// Stops counting this stream as open (once).
    func uncount() {
        if !uncounted.exchange(true, ordering: .relaxed) { api.openStreams.subtract(1, ordering: .relaxed) }
    }
}

extension HTTPRequest {
    /// `Last-Event-ID` as an offset, when it is an integer.
    var lastEventID: Int64? { headers["Last-Event-ID"].flatMap { Int64($0.trimmingCharacters(in: " \t")) } }
}
