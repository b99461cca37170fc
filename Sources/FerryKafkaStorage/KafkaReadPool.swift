import FerryKafka
import FerrySystem

/// Threads that do the blocking work of reads and timestamp lookups, each with its own librdkafka consumer
/// (``KafkaPartitionReader``), so no event-loop thread ever waits for the cluster.
///
/// A job names the partition and offset it reads; a free thread prefers the job that continues where its
/// reader stopped (librdkafka has prefetched those records), else takes the oldest. Thread-safe.
final class KafkaReadPool: Sendable {
    /// One unit of work, run on a pool thread with that thread's reader; it may block up to the request timeout.
    struct Job: Sendable {
        var topicPartition: KafkaTopicPartition
        var offset: Int64
        var run: @Sendable (KafkaPartitionReader) -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        var stopping = false
    }

    private let queue = ConditionLock(Queue())
    private let threads: Lock<[SystemThread]>

    /// Starts `count` threads with one reader each. Throws a ``KafkaError`` naming a bad property.
    init(configuration: KafkaConfiguration, count: Int) throws(KafkaError) {
        var readers: [KafkaPartitionReader] = []
        for _ in 0..<max(1, count) { readers.append(try KafkaPartitionReader(configuration: configuration)) }
        let queue = self.queue
        threads = Lock(
            readers.enumerated().map { index, reader in
                SystemThread(name: "kafka-read-\(index)") { KafkaReadPool.work(queue: queue, reader: reader) }
            })
    }

    /// Queues `job`; it runs on the next free thread. After ``stop()`` the job is not queued and `rejected` runs
    /// instead, on the caller's thread (the caller answers its request "unavailable").
    func submit(_ job: Job, rejected: () -> Void) {
        let accepted = queue.withLockThenSignal { queue -> Bool in
            guard !queue.stopping else { return false }
            queue.jobs.append(job)
            return true
        }
        if !accepted { rejected() }
    }

    /// Lets the threads finish the queued jobs, then stops them and closes their readers. Blocks until they end.
    func stop() {
        queue.withLockThenSignal(broadcast: true) { $0.stopping = true }
        let stopped = threads.withLock { threads in
            defer { threads = [] }
            return threads
        }
        for thread in stopped { thread.join() }
    }

    private static func work(queue: ConditionLock<Queue>, reader: KafkaPartitionReader) {
        defer { reader.close() }
        while true {
            let position = reader.position
            let job: Job? = queue.wait(deadline: { _ in nil }) { queue -> Job?? in
                if queue.jobs.isEmpty { return queue.stopping ? .some(nil) : nil }
                let index =
                    queue.jobs.firstIndex { job in
                        job.topicPartition == position?.topicPartition && job.offset == position?.nextOffset
                    } ?? 0
                return .some(queue.jobs.remove(at: index))
            }
            guard let job else { return }
            job.run(reader)
        }
    }
}
