import CRdkafka
import FerrySystem
import Synchronization

/// A member of a Kafka consumer group that wants **partitions, not records**: Kafka's group protocol decides
/// which member owns which partition of `topic` (cooperative-sticky: a rebalance moves only the partitions that
/// must move), and the member is told as it happens. Ferry's gateways use it to share out the shards of their
/// own state; nothing is consumed (assigned partitions are paused at once) and nothing is committed.
///
/// Threads: one polling thread of its own (`kafka-member`) serves the group protocol; `onChange` runs on it,
/// may block (loading a shard replays it), and must finish before the next change. While it blocks, Kafka
/// keeps the membership alive (heartbeats are librdkafka's background work) for up to `max.poll.interval.ms`.
/// A crashed member's partitions move after `session.timeout.ms`. ``close()`` revokes everything (calling
/// `onChange`), leaves the group and joins the thread; it blocks. The polling thread keeps the member alive
/// until then: call ``close()``.
public final class KafkaGroupMembership: Sendable {
    /// Partitions given to this member, or taken away (before anyone else gets them).
    public enum Change: Sendable, Equatable {
        case assigned([Int32])
        case revoked([Int32])
    }

    let client: KafkaClientHandle
    private let stopping = Atomic<Bool>(false)
    private let thread = Mutex<SystemThread?>(nil)
    /// The partitions assigned now (read by anyone; written on the polling thread).
    private let held: HeldPartitions

    final class HeldPartitions: Sendable {
        let partitions = Mutex<Set<Int32>>([])
    }

    /// Joins group `groupID` as a subscriber of `topic` and starts polling.
    /// - Parameters:
    ///   - sessionTimeout: how long Kafka waits for a silent member before giving its partitions to others.
    ///   - onChange: told of every assignment and revocation, in order, on the polling thread.
    public init(
        configuration: KafkaConfiguration, groupID: String, topic: String, sessionTimeout: Duration,
        onChange: @escaping @Sendable (Change) -> Void
    ) throws(KafkaError) {
        let session = max(1_000, Int(milliseconds(sessionTimeout)))
        let extra: [(key: String, value: String)] = [
            ("group.id", groupID), ("partition.assignment.strategy", "cooperative-sticky"),
            ("session.timeout.ms", String(session)), ("heartbeat.interval.ms", String(max(100, session / 6))),
            ("enable.auto.commit", "false"), ("enable.auto.offset.store", "false"), ("auto.offset.reset", "latest"),
        ]
        let held = HeldPartitions()
        self.held = held
        client = try KafkaClientHandle(
            type: RD_KAFKA_CONSUMER, configuration: configuration, extra: extra,
            rebalance: { client, code, list in
                Self.rebalance(client: client, code: code, list: list, held: held, onChange: onChange)
            })
        _ = rd_kafka_poll_set_consumer(client.pointer)
        let subscription = TopicPartitionList([(KafkaTopicPartition(topic: topic, partition: -1), nil)])
        let code = rd_kafka_subscribe(client.pointer, subscription.pointer)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: code.rawValue, message: "subscribe \(topic)", isRetriable: false)
        }
        let client = self.client
        let poller = SystemThread(name: "kafka-member") { [self] in
            while !stopping.load(ordering: .acquiring) {
                if let message = rd_kafka_consumer_poll(client.pointer, 100) { rd_kafka_message_destroy(message) }
            }
        }
        thread.withLock { $0 = poller }
    }

    /// The partitions this member holds now.
    public var assigned: Set<Int32> { held.partitions.withLock { $0 } }

    /// Revokes every partition (through `onChange`), leaves the group, stops the thread. Blocks, at most about
    /// `timeout` longer than the polling round under way: librdkafka's close waits for the group coordinator,
    /// which may be gone (the whole cluster down); then the member is abandoned as a crashed one would be (Kafka
    /// moves its partitions after the session timeout) and its client is never destroyed (destroying it would
    /// wait again). Idempotent.
    public func close(timeout: Duration = .seconds(10)) {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        thread.withLock { $0 }?.join()
        // consumer_close serves the final revocation through the rebalance callback on the closing thread.
        closeConsumer(client, timeout: timeout)
    }

    /// The rebalance callback: applies the change to the consumer (incremental under the cooperative protocol),
    /// pausing new partitions so that nothing is fetched, and tells `onChange` (after assigning, before
    /// unassigning: a revoked partition is given up only once its owner let go).
    static func rebalance(
        client: OpaquePointer, code: rd_kafka_resp_err_t, list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
        held: HeldPartitions, onChange: @Sendable (Change) -> Void
    ) {
        let partitions = (0..<Int(list.pointee.cnt)).map { list.pointee.elems[$0].partition }
        let cooperative = String(cString: rd_kafka_rebalance_protocol(client)) == "COOPERATIVE"
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                rd_kafka_error_destroy(rd_kafka_incremental_assign(client, list))
            } else {
                _ = rd_kafka_assign(client, list)
            }
            _ = rd_kafka_pause_partitions(client, list)
            held.partitions.withLock { $0.formUnion(partitions) }
            onChange(.assigned(partitions))
        default:
            // _REVOKE_PARTITIONS, or an error (the assignment is lost): give up what is listed.
            held.partitions.withLock { $0.subtract(partitions) }
            onChange(.revoked(partitions))
            if cooperative {
                rd_kafka_error_destroy(rd_kafka_incremental_unassign(client, list))
            } else {
                _ = rd_kafka_assign(client, nil)
            }
        }
    }
}
