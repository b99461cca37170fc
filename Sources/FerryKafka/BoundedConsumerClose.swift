import CRdkafka
import FerrySystem
import Synchronization

/// `rd_kafka_consumer_close` with a time limit. librdkafka's close waits for the cluster (the group coordinator,
/// outstanding fetches) and can wait for good when every broker is gone; a server that is shutting down must not.
/// The close runs on a helper thread; past `timeout` the client is abandoned: kept alive forever (never destroyed,
/// which would wait again), as a crashed client would be. Returns whether the close finished in time.
@discardableResult
func closeConsumer(_ client: KafkaClientHandle, timeout: Duration) -> Bool {
    let done = ConditionLock(false)
    SystemThread.detached(name: "kafka-close") {
        _ = rd_kafka_consumer_close(client.pointer)
        done.withLockThenSignal { $0 = true }
    }
    let deadline = MonotonicClock.nanoseconds() + UInt64(milliseconds(timeout)) * 1_000_000
    let closed = done.wait(deadline: { _ in deadline }) { closed in
        closed ? true : (MonotonicClock.nanoseconds() >= deadline ? false : nil)
    }
    if !closed { abandonedConsumers.withLock { $0.append(client) } }
    return closed
}

/// Clients whose close did not finish in time (see ``closeConsumer(_:timeout:)``).
private let abandonedConsumers = Mutex<[KafkaClientHandle]>([])
