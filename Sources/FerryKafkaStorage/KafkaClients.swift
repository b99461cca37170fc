import FerryKafka
import Synchronization

/// The librdkafka clients one engine shares between its partitions: the idempotent producer, the admin
/// client, the read pool, and a consumer used only for watermark queries (thread-safe for those).
final class KafkaClients: Sendable {
    let options: KafkaStorageOptions
    let producer: KafkaProducer
    let admin: KafkaAdmin
    let pool: KafkaReadPool
    /// Asks partition leaders for watermarks (``KafkaPartitionReader/watermarks(of:timeout:)`` needs no
    /// assignment, so any thread may use it at any time).
    let watermarkReader: KafkaPartitionReader
    /// Running totals for `/metrics`.
    let counters = Mutex(KafkaCounters())
    /// Whether the cluster is serving (readiness), fed by the refresher and by requests that got no answer.
    let reachability = ClusterReachability()

    init(options: KafkaStorageOptions) throws(KafkaError) {
        self.options = options
        producer = try KafkaProducer(configuration: options.kafka, deliveryTimeout: options.requestTimeout)
        admin = try KafkaAdmin(configuration: options.kafka)
        var readers = options.kafka
        // A reader asks for records only while a read waits for them, and every read is at most a partition's
        // end: a broker holding an empty fetch for the default 500 ms would delay the next read's reassignment.
        if readers.value(for: "fetch.wait.max.ms") == nil { readers.set("fetch.wait.max.ms", "10") }
        pool = try KafkaReadPool(configuration: readers, count: options.readerThreads)
        watermarkReader = try KafkaPartitionReader(configuration: options.kafka)
    }

    /// A short bound for metadata-type round trips (watermarks, topic listing) that must not hold a thread long.
    var metadataTimeout: Duration { min(options.requestTimeout, .seconds(5)) }

    func close() {
        pool.stop()
        producer.close(timeout: .seconds(5))
        watermarkReader.close()
    }
}

/// What the engine counts for `/metrics` (see `MetricCatalog`'s `ferry_kafka_*` entries).
struct KafkaCounters {
    var producedRecords = 0
    var produceErrors = 0
    var produceBatches = 0
    var deliveryMicroseconds: Int64 = 0
    var reads = 0
    var readErrors = 0
}
