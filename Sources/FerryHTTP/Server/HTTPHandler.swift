/// A request handler. Called synchronously on an event-loop thread, once per request.
///
/// It must not block. It answers through the responder: at once (the response is written in the same loop
/// turn, no thread hop), or later from any thread (the request is then "held": it costs memory, not a thread).
/// Every request must eventually be answered, or its connection closes; a held request whose client goes away
/// is released and its `onClose` callbacks run.
public typealias HTTPHandler = @Sendable (HTTPRequest, HTTPResponder) -> Void
