import Dispatch
import FerryBroker
import FerryHTTP
import FerryJSON
import FerryMessageJSON
import Synchronization

/// The parameters of one receive (API.md "Queues").
struct QueueReceiveRequest: Sendable {
    var topic: String
    var queue: String
    var maxMessages: Int
    var waitMilliseconds: Int
    var leaseMilliseconds: Int64

    init(_ request: HTTPRequest) throws(APIFailure) {
        topic = request.pathParameter("topic") ?? ""
        queue = request.pathParameter("queue") ?? ""
        let body = try request.jsonObject(emptyAllowed: true)
        maxMessages = Int(try body.int64("max_messages", in: 1...1000, default: 10))
        waitMilliseconds = Int(try body.int64("wait_ms", in: 0...60_000, default: 0))
        leaseMilliseconds = try body.int64("lease_ms", in: 100...43_200_000, default: 30_000)
    }
}

/// `POST /v1/topics/{topic}/queues/{queue}/receive`, long-polling without holding a thread.
extension FerryAPI {
    func receive(_ request: HTTPRequest, _ responder: HTTPResponder) throws(APIFailure) {
        let parameters = try QueueReceiveRequest(request)
        try receiveOnce(parameters) { [self] first in
            guard first.count == 0, parameters.waitMilliseconds > 0 else {
                responder.respond(.json(first.body))
                return
            }
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(parameters.waitMilliseconds) * 1_000_000
            holdReceive(parameters, responder: responder, deadline: deadline)
        }
    }

    /// Parks a receive until the queue may have a message (then tries again, parking again if another receiver
    /// was faster and time is left), the deadline, the client going away, or shutdown.
    func holdReceive(_ parameters: QueueReceiveRequest, responder: HTTPResponder, deadline: UInt64) {
        let wakeup = Wakeup(timers: timers) { [self] reason in
            do throws(APIFailure) {
                try receiveOnce(parameters) { [self] answer in
                    let now = DispatchTime.now().uptimeNanoseconds
                    if answer.count == 0 && reason == .data && now + 1_000_000 < deadline
                        && responder.isConnectionOpen
                    {
                        return holdReceive(parameters, responder: responder, deadline: deadline)
                    }
                    responder.respond(.json(answer.body))
                }
            } catch {
                responder.respond(error.response)
            }
        }
        held.track(wakeup)
        do throws(BrokerError) {
            try queues(topic: parameters.topic, queue: parameters.queue).watch(
                topic: parameters.topic, name: parameters.queue, wakeup: wakeup)
        } catch {
            wakeup.fire(.cancelled)
            return
        }
        responder.onClose { wakeup.fire(.cancelled) }
        let now = DispatchTime.now().uptimeNanoseconds
        wakeup.fire(after: deadline > now ? Int((deadline - now) / 1_000_000) : 0)
    }

    /// One receive: leases, reads and encodes `{"messages": [...]}`, then calls `completion` (where the reads
    /// complete). Throws for a missing topic or queue (then `completion` is not called).
    func receiveOnce(
        _ parameters: QueueReceiveRequest,
        completion: @escaping @Sendable (_ answer: (body: [UInt8], count: Int)) -> Void
    ) throws(APIFailure) {
        let topic = parameters.topic
        try APIFailure.mapping { () throws(BrokerError) in
            try queues(topic: topic, queue: parameters.queue).receive(
                topic: topic, name: parameters.queue, maxMessages: parameters.maxMessages,
                leaseMilliseconds: parameters.leaseMilliseconds
            ) { received in
                completion(Self.encode(received, topic: topic))
            }
        }
    }

    /// `{"messages": [...]}` with each message's receipt and delivery count.
    static func encode(_ received: QueueReceived, topic: String) -> (body: [UInt8], count: Int) {
        var writer = JSONWriter(capacity: 4096)
        writer.beginObject()
        writer.key(ascii: "messages")
        writer.beginArray()
        var one = JSONWriter(capacity: 512)
        let count = received.forEach { message, delivery in
            // The message object, reopened to add the delivery's members.
            one.reset()
            MessageEncoding.write(message, topic: topic, partition: delivery.partition, base64: false, into: &one)
            var bytes = one.take()
            bytes.removeLast()  // "}"
            bytes.append(contentsOf: #","receipt":""#.utf8)
            bytes.append(contentsOf: delivery.receipt.text.utf8)  // hex digits: nothing to escape
            bytes.append(contentsOf: #"","delivery_count":"#.utf8)
            bytes.append(contentsOf: String(delivery.deliveryCount).utf8)
            bytes.append(UInt8(ascii: "}"))
            writer.rawJSON(bytes)
        }
        writer.endArray()
        writer.endObject()
        return (writer.take(), count)
    }
}
