import CRdkafka
import FerrySystem
import Synchronization

/// `rd_kafka_consumer_close` with a time limit. librdkafka's close waits for the cluster (the group coordinator,
/// outstanding fetches) and can wait for good when every broker is gone; a server that is shutting down must not.
/// The close runs on a helper thread; past `timeout` the client is abandoned: kept alive forever (never destroyed,
/// which would wait again), as a crashed client would be. Returns whether the close finished in time.
@discardableResult
func closeConsumer(_ client: KafkaClientHandle, timeout: Duration) -> Bool {
    let done = OneShotSignal()
    SystemThread.detached(name: "kafka-close") {
        _ = rd_kafka_consumer_close(client.pointer)
        done.set()
    }
    let closed = done.wait(timeout: timeout)
    if !closed { abandonedConsumers.withLock { $0.append(client) } }
    return closed
}

/// Clients whose close did not finish in time (see ``closeConsumer(_:timeout:)``).
private let abandonedConsumers = Mutex<[KafkaClientHandle]>([])
