@testable import FerryBroker

extension QueueCoordinator {
    /// ``receive(topic:name:maxMessages:leaseMilliseconds:completion:)`` waiting for its reads (tests only).
    func receiveNow(topic: String, name: String, maxMessages: Int, leaseMilliseconds: Int64) throws(BrokerError)
        -> QueueReceived
    {
        let answer = BlockingAnswer<QueueReceived>()
        try receive(topic: topic, name: name, maxMessages: maxMessages, leaseMilliseconds: leaseMilliseconds) {
            answer.give($0)
        }
        return answer.wait()
    }
}
