import Synchronization

/// Totals of the listener, shared by its loops (written by them, read by anyone: metrics, tests).
public final class KafkaListenerCounters: Sendable {
    public let openConnections = Atomic<Int>(0)
    public let acceptedConnections = Atomic<Int>(0)
    public let requests = Atomic<Int>(0)
    /// Connections closed because a frame could not be decoded or broke the protocol.
    public let malformedFrames = Atomic<Int>(0)
    public let bytesReceived = Atomic<Int>(0)
    public let bytesSent = Atomic<Int>(0)

    public init() {}
}
