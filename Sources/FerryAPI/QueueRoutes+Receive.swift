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
        let first = try receiveOnce(parameters)
        guard first.count == 0, parameters.waitMilliseconds > 0 else {
            responder.respond(.json(first.body))
            return
        }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(parameters.waitMilliseconds) * 1_000_000
        holdReceive(parameters, responder: responder, deadline: deadline)
    }

    /// Parks a receive until the queue may have a message (then tries again, parking again if another receiver
    /// was faster and time is left), the deadline, the client going away, or shutdown.
    func holdReceive(_ parameters: QueueReceiveRequest, responder: HTTPResponder, deadline: UInt64) {
        let wakeup = Wakeup(timers: timers) { [self] reason in
            let response: HTTPResponse
            do throws(APIFailure) {
                let answer = try receiveOnce(parameters)
                let now = DispatchTime.now().uptimeNanoseconds
                if answer.count == 0 && reason == .data && now + 1_000_000 < deadline && responder.isConnectionOpen {
                    return holdReceive(parameters, responder: responder, deadline: deadline)
                }
                response = .json(answer.body)
            } catch {
                response = error.response
            }
            responder.respond(response)
        }
        held.track(wakeup)
        do throws(BrokerError) {
            try broker.queues.watch(topic: parameters.topic, name: parameters.queue, wakeup: wakeup)
        } catch {
            wakeup.fire(.cancelled)
            return
        }
        responder.onClose { wakeup.fire(.cancelled) }
        let now = DispatchTime.now().uptimeNanoseconds
        wakeup.fire(after: deadline > now ? Int((deadline - now) / 1_000_000) : 0)
    }

    /// One receive: leases and encodes `{"messages": [...]}`.
    func receiveOnce(_ parameters: QueueReceiveRequest) throws(APIFailure) -> (body: [UInt8], count: Int) {
        var writer = JSONWriter(capacity: 4096)
        writer.beginObject()
        writer.key(ascii: "messages")
        writer.beginArray()
        let topic = parameters.topic
        var one = JSONWriter(capacity: 512)
        let count: Int = try APIFailure.mapping { () throws(BrokerError) in
            try broker.queues.receive(
                topic: topic, name: parameters.queue, maxMessages: parameters.maxMessages,
                leaseMilliseconds: parameters.leaseMilliseconds
            ) { message, delivery in
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
        }
        writer.endArray()
        writer.endObject()
        return (writer.take(), count)
    }
}
