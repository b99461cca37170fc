import FerrySystem
import Synchronization

/// What idempotent producers (the Java default, `enable.idempotence` in librdkafka) need from a broker: a
/// producer id, and a retried batch recognised by its sequence numbers and answered with the offset it got the
/// first time instead of being appended again.
///
/// Kept in memory for the last 5 batches per producer and partition, as Kafka does per producer; a restart
/// forgets it (producers then get new ids). Thread-safe.
final class ProducerSequences: Sendable {
    struct Key: Hashable {
        var producerID: Int64
        var topic: String
        var partition: Int32
    }

    struct Appended {
        var baseSequence: Int32
        var epoch: Int16
        var baseOffset: Int64
    }

    private let batches = Mutex<[Key: [Appended]]>([:])
    /// Producer ids handed out: time-seeded so ids of an earlier run are not reused soon after a restart.
    private let nextID: Atomic<Int64>

    init() {
        nextID = Atomic(WallClock.milliseconds() * 1000)
    }

    func newProducerID() -> Int64 { nextID.add(1, ordering: .relaxed).newValue }

    /// The offset a batch with these sequence numbers got before, if it was appended already.
    func duplicate(_ key: Key, baseSequence: Int32, epoch: Int16) -> Int64? {
        batches.withLock { all in
            all[key]?.first { $0.baseSequence == baseSequence && $0.epoch == epoch }?.baseOffset
        }
    }

    /// Remembers an appended batch (the last 5 per producer and partition).
    func record(_ key: Key, baseSequence: Int32, epoch: Int16, baseOffset: Int64) {
        batches.withLock { all in
            var list = all[key] ?? []
            list.append(Appended(baseSequence: baseSequence, epoch: epoch, baseOffset: baseOffset))
            if list.count > 5 { list.removeFirst(list.count - 5) }
            all[key] = list
            if all.count > 100_000 { all.removeAll() }  // a bound on producers remembered, not a cache policy
        }
    }
}
