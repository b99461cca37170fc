import FerryKafkaWire

/// What the listener hands every request to.
public protocol KafkaRequestHandling: Sendable {
    /// Called on a loop thread for every frame whose header decoded; `body` is positioned after the header.
    /// Must not block: answer through `responder` now or later, from any thread, exactly once.
    func handle(header: KafkaRequestHeader, body: KafkaReader, session: KafkaSession, responder: KafkaResponder)
}
