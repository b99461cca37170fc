import FerryBroker
import FerryKafka
import FerrySystem
import Logging
import Synchronization

/// The refresher: one thread that keeps the engine's view of the cluster fresh.
///
/// Every ``KafkaStorageOptions/waitPollInterval`` it asks the leaders of partitions with a held long-poll for
/// their high watermark (so records produced by anyone wake the waiters within that plus a round trip); every
/// ``KafkaStorageOptions/metadataRefreshInterval`` it lists the topics (reachability, topics created or deleted
/// by others) and refreshes every partition's watermarks.
extension KafkaStorageEngine {
    func startRefresher() {
        refresher.withLock { thread in
            guard thread == nil else { return }
            thread = SystemThread(name: "kafka-refresh") { [weak self] in
                var nextFullRefresh = MonotonicClock.nanoseconds()
                while let engine = self, !engine.stopping.withLock({ $0 }) {
                    let now = MonotonicClock.nanoseconds()
                    if now >= nextFullRefresh {
                        engine.refreshEverything()
                        engine.sendMirroredOffsets()
                        nextFullRefresh =
                            MonotonicClock.nanoseconds() &+ nanoseconds(engine.clients.options.metadataRefreshInterval)
                    } else {
                        engine.refreshWaitedPartitions()
                    }
                    let pause = nanoseconds(engine.clients.options.waitPollInterval)
                    let due = MonotonicClock.nanoseconds() &+ pause
                    _ = engine.stopping.wait(deadline: { _ in due }) { stopping in
                        stopping || MonotonicClock.nanoseconds() >= due ? true : nil
                    }
                }
            }
        }
    }

    func stopRefresher() {
        stopping.withLockThenSignal(broadcast: true) { $0 = true }
        let thread = refresher.withLock { thread in
            defer { thread = nil }
            return thread
        }
        thread?.join()
    }

    /// Partitions with a held long-poll: their watermarks, now.
    func refreshWaitedPartitions() {
        let waited = partitions.withLock { $0.values.filter(\.hasWaiters) }
        for partition in waited { _ = try? partition.refreshBounds() }
    }

    /// Topics and every partition's watermarks; the cluster counts as reachable when the listing worked and
    /// every partition's leader answered or refused with a Kafka error (not for lack of a connection), and
    /// nothing found it unreachable while the round ran (``ClusterReachability``).
    func refreshEverything() {
        let round = clients.reachability.roundStarts()
        do {
            try listClusterTopics(timeout: clients.metadataTimeout)
        } catch {
            // listClusterTopics noted the failure.
            logger.warning("the Kafka cluster cannot be reached", metadata: ["error": "\(error)"])
            return
        }
        let all = partitions.withLock { Array($0.values) }
        for partition in all {
            do {
                try partition.refreshBounds()
            } catch {
                if case .unavailable = error {
                    // A leader unreachable for the whole metadata timeout: the cluster is not serving (and each
                    // further partition would wait as long), so this round ends here.
                    clients.reachability.noteUnreachable()
                    logger.warning(
                        "a partition leader of the Kafka cluster cannot be reached",
                        metadata: ["partition": "\(partition.topicPartition)", "error": "\(error)"])
                    return
                }
                logger.debug(
                    "cannot refresh a partition's watermarks",
                    metadata: ["partition": "\(partition.topicPartition)", "error": "\(error)"])
            }
        }
        clients.reachability.roundReachedCluster(round)
    }
}

/// Nanoseconds in `duration` (negative durations are 0).
func nanoseconds(_ duration: Duration) -> UInt64 { UInt64(max(0, duration.wholeNanoseconds)) }
