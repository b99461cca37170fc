import FerryKafka
import FerrySystem

// Native produce rate against librdkafka's in-process mock cluster (3 brokers): how fast the FerryKafka producer
// gets idempotent, acks=all records acknowledged, with no Ferry HTTP in the way.
//
//   swift run -c release ferry-bench-kafka [records] [value-bytes] [partitions]
//
// With FERRY_BENCH_BOOTSTRAP=HOST:PORT it runs against that cluster instead of the mock: e.g. Ferry's own
// Kafka-protocol listener (`ferry serve --kafka-port`; the topic `bench` must exist with [partitions]
// partitions), as Benchmarks/kafka-protocol-bench.sh does.
#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let recordCount = arguments.first ?? 200_000
let valueBytes = arguments.dropFirst().first ?? 100
let partitions = Int32(arguments.dropFirst(2).first ?? 3)

do {
    let base: KafkaConfiguration
    var cluster: KafkaMockCluster?
    if let bootstrap = getenv("FERRY_BENCH_BOOTSTRAP").map({ String(cString: $0) }) {
        base = KafkaConfiguration(bootstrapServers: bootstrap)
    } else {
        let mock = try KafkaMockCluster(brokers: 3, logHandler: { _ in })
        try mock.createTopic("bench", partitions: partitions)
        base = mock.configuration()
        cluster = mock
    }
    var configuration = base
    configuration.set("batch.num.messages", "10000")
    configuration.set("batch.size", "1000000")
    configuration.set("linger.ms", "5")
    let producer = try KafkaProducer(configuration: configuration)
    let value = [UInt8](repeating: 0x61, count: valueBytes)
    let done = ConditionLock((acknowledged: 0, failed: 0))
    let started = MonotonicClock.nanoseconds()
    var index = 0
    while index < recordCount {
        let record = KafkaProducerRecord(topic: "bench", partition: Int32(index) % partitions, value: value)
        do throws(KafkaError) {
            try producer.produce(record) { result in
                done.withLockThenSignal {
                    if case .success = result { $0.acknowledged += 1 } else { $0.failed += 1 }
                }
            }
            index += 1
        } catch  where error.code == KafkaError.queueFullCode {
            usleep(1_000)  // librdkafka's queue is full: let the acknowledgements catch up
        }
    }
    let totals = done.wait(deadline: { _ in nil }) { state in
        state.acknowledged + state.failed == recordCount ? state : nil
    }
    let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
    producer.close(timeout: .seconds(5))
    let rate = Int(Double(totals.acknowledged) / seconds)
    print(
        "records=\(recordCount) value=\(valueBytes)B partitions=\(partitions) acknowledged=\(totals.acknowledged) failed=\(totals.failed) seconds=\(Double(Int(seconds * 100)) / 100) rate=\(rate)/s"
    )

    // Native fetch: one assigning consumer reads every record still stored back, partition by partition, 10 000 at a time
    // (what a Ferry fetch with limit=10000 asks its reader for).
    let reader = try KafkaPartitionReader(configuration: base)
    let fetchStarted = MonotonicClock.nanoseconds()
    var fetched = 0
    for partition in 0..<partitions {
        let topicPartition = KafkaTopicPartition(topic: "bench", partition: partition)
        // The mock keeps a few MB per partition: read what it still has.
        let marks = try reader.watermarks(of: topicPartition, timeout: .seconds(10))
        let end = marks.highWatermark
        var offset = marks.logStartOffset
        while offset < end {
            let records = try reader.fetch(topicPartition, from: offset, maxRecords: 10_000, timeout: .seconds(10))
            guard let last = records.last else { break }
            fetched += records.count
            offset = last.offset + 1
        }
    }
    let fetchSeconds = Double(MonotonicClock.nanoseconds() - fetchStarted) / 1e9
    reader.close()
    print(
        "fetched=\(fetched) seconds=\(Double(Int(fetchSeconds * 100)) / 100) rate=\(Int(Double(fetched) / fetchSeconds))/s"
    )
    withExtendedLifetime(cluster) {}
} catch {
    print("benchmark failed: \(error)")
}
