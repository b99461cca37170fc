import FerrySystem
import Synchronization

/// One accepted Kafka-protocol socket: the bytes of a partial frame, the responses owed in request order, and
/// what is queued for writing.
///
/// Loop-confined: every stored property except ``closed`` and ``session`` is read and written only on its
/// ``KafkaEventLoop``'s thread. Handlers answer through a ``KafkaResponder``, which posts to the loop.
final class KafkaConnection {
    let fd: Int32
    let remote: String
    let loop: KafkaEventLoop
    /// Set once the socket is closed; readable from any thread.
    let closed = Atomic<Bool>(false)
    /// What the client proved about itself (SASL), shared with the handlers of its requests.
    let session: KafkaSession

    /// Received bytes not yet consumed (a partial frame).
    var input: [UInt8] = []
    var output = OutputQueue()
    /// Sequence number the next request gets.
    var nextSequence: UInt64 = 0
    /// The sequence whose response is written next: Kafka clients match responses to requests by order too.
    var nextToSend: UInt64 = 0
    /// Answers that arrived before those of earlier requests (nil: the request gets no response, acks=0).
    var ready: [UInt64: [[UInt8]]?] = [:]
    var readInterest = true
    var writeInterest = false
    var isDirty = false
    /// Closing once the output is written: nothing more is read.
    var closing = false
    /// Monotonic time (ns) of the last byte received or sent.
    var lastActivity: UInt64

    init(fd: Int32, remote: String, loop: KafkaEventLoop, now: UInt64) {
        self.fd = fd
        self.remote = remote
        self.loop = loop
        self.lastActivity = now
        self.session = KafkaSession(remote: remote)
    }

    /// Requests dispatched and not answered yet.
    var inFlight: Int { Int(nextSequence - nextToSend) }
}

/// Per-connection state a handler may read and change from any thread: the SASL exchange and the principal it
/// authenticated.
public final class KafkaSession: Sendable {
    public struct State: Sendable {
        /// A SaslHandshake chose PLAIN; the next SaslAuthenticate carries the credentials.
        public var handshakeDone = false
        /// Who authenticated, once SASL succeeded.
        public var principal: KafkaPrincipal?
    }

    /// The peer address, for logs.
    public let remote: String
    public let state = Mutex(State())

    init(remote: String) { self.remote = remote }
}
