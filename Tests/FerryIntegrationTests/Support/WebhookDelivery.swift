import FerryAPITesting
import FerryJSON
import FerryTesting

/// What a webhook receiver got, read as a Ferry delivery: a Standard Webhooks id and a batch of messages.
extension TestHTTPReceiver.Received {
    /// The body parsed as JSON (nil when it is not JSON).
    var json: JSONValue? { try? JSONValue.parse(body) }
    /// The `webhook-id` header.
    var id: String? { header("webhook-id") }
    /// The batch's `messages`.
    var messages: [JSONValue] { json?["messages"].list ?? [] }
    /// `partition/offset` of every message.
    var positions: [String] { messages.map { "\($0["partition"].int ?? -1)/\($0["offset"].int ?? -1)" } }
}
