import Synchronization

/// The way to answer one request: exactly one of ``respond(_:)`` or ``noResponse()``, from any thread, at any
/// time. Answers are written in request order (a later request's answer waits for the earlier ones).
/// Answering a request whose connection closed is a no-op.
public struct KafkaResponder: Sendable {
    let connection: UncheckedConnection
    let sequence: UInt64

    /// The request's correlation id (every response frame starts with it).
    public let correlationID: Int32

    /// Answers with a complete response frame (size prefix included).
    public func respond(_ frame: [UInt8]) { deliver([frame]) }

    /// Answers with a frame given as consecutive chunks (large ones are written without being copied).
    public func respond(chunks: [[UInt8]]) { deliver(chunks) }

    /// Records that the request gets no response (Produce with acks=0), so later answers are not held back.
    public func noResponse() { deliver(nil) }

    /// Closes the connection once what is queued for it was written (a protocol violation, failed SASL).
    public func close() {
        let loop = connection.value.loop
        if loop.isOnLoopThread {
            loop.closeWhenFlushed(connection.value)
        } else {
            loop.post(.close(connection.value))
        }
    }

    private func deliver(_ frame: [[UInt8]]?) {
        let loop = connection.value.loop
        if loop.isOnLoopThread {
            loop.answer(connection.value, sequence: sequence, frame: frame)
        } else {
            loop.post(.answer(connection.value, sequence, frame))
        }
    }
}

/// A connection reference carried across threads: only its loop touches its state (see ``KafkaConnection``).
struct UncheckedConnection: @unchecked Sendable {
    let value: KafkaConnection
}
