import FerryBroker
import FerryKafka
import FerrySystem
import Logging
import Synchronization

/// Ferry groups' committed offsets, mirrored to Kafka's group coordinator under the same group names (Ferry's
/// own record stays the `__ferry_groups` journal): Kafka's tools (kafka-consumer-groups, Burrow, lag
/// exporters) then show Ferry groups and their lag. Best effort, at most one round per refresh interval.
extension KafkaStorageEngine {
    /// Takes a snapshot when the previous one has been sent and a refresh interval has passed.
    public func mirrorCommittedOffsets(_ snapshot: () -> [String: [TopicPartition: Int64]]) {
        let now = MonotonicClock.nanoseconds()
        let due = groupMirror.withLock { mirror in
            guard mirror.pending == nil && now >= mirror.nextSnapshot else { return false }
            mirror.nextSnapshot = now &+ nanoseconds(clients.options.metadataRefreshInterval)
            return true
        }
        guard due else { return }
        let offsets = snapshot()
        groupMirror.withLock { $0.pending = offsets }
    }

    /// On the refresher thread: commits what changed since the last round, group by group (blocking).
    func sendMirroredOffsets() {
        guard let (pending, sent) = groupMirror.withLock({ mirror in mirror.pending.map { ($0, mirror.sent) } })
        else { return }
        var delivered = sent
        for (group, offsets) in pending {
            var changed: [KafkaTopicPartition: Int64] = [:]
            for (partition, offset) in offsets where sent[group]?[partition] != offset {
                changed[KafkaTopicPartition(topic: partition.topic, partition: Int32(clamping: partition.partition))] =
                    offset
            }
            guard !changed.isEmpty else { continue }
            do {
                try clients.admin.commitGroupOffsets(group, changed, timeout: clients.metadataTimeout)
                delivered[group] = offsets
            } catch {
                // A Kafka consumer group of the same name with live members refuses it (UNKNOWN_MEMBER_ID,
                // REBALANCE_IN_PROGRESS): Ferry's own offsets are unaffected.
                logger.debug(
                    "cannot mirror a group's offsets to Kafka", metadata: ["group": "\(group)", "error": "\(error)"])
            }
        }
        groupMirror.withLock { mirror in
            mirror.sent = delivered
            mirror.pending = nil
        }
    }
}

/// The mirror's state: the snapshot waiting to be sent and what Kafka last accepted, per group.
struct GroupOffsetMirror {
    var pending: [String: [TopicPartition: Int64]]?
    var sent: [String: [TopicPartition: Int64]] = [:]
    var nextSnapshot: UInt64 = 0
}
