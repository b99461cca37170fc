import FerryLog
import FerrySystem
import FerryTesting
import Synchronization

// ferry-bench-log: throughput of the partition log (release build: `swift build -c release --product ferry-bench-log`).
//
// Usage: ferry-bench-log [--quick] [--dir DIR] [scenario...]
// Scenarios: append-never-1 append-never-100 append-interval-1 append-interval-100 append-always-1
//            append-always-64 read-sequential read-random (default: all). Records have a 100-byte value,
//            no key and no headers. Prints records/s and MB/s (of 100-byte payloads) per scenario.
#if canImport(Glibc)
    import Glibc
#endif

struct Options {
    var quick = false
    var directory = "/tmp"
    var scenarios: [String] = []
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst()
    while let argument = arguments.popFirst() {
        switch argument {
        case "--quick": options.quick = true
        case "--dir": options.directory = arguments.popFirst() ?? options.directory
        default: options.scenarios.append(argument)
        }
    }
    return options
}

func seconds(since start: UInt64) -> Double { Double(MonotonicClock.nanoseconds() - start) / 1e9 }

func report(_ name: String, records: Int, seconds: Double, extra: String = "") {
    let rate = Double(records) / seconds
    let megabytes = rate * 100 / 1_000_000
    let padded = name + String(repeating: " ", count: max(0, 22 - name.count))
    print(
        "\(padded) \(format2(rate).leftPad(14)) rec/s  \(format2(megabytes).leftPad(9)) MB/s  (\(records) records in \(format2(seconds)) s)\(extra)"
    )
}

func format2(_ value: Double) -> String {
    let scaled = (value * 100).rounded() / 100
    var text = String(scaled)
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < 2 { text += String(repeating: "0", count: 2 - decimals) }
    }
    return text
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

let value = [UInt8](repeating: 0x61, count: 100)

func records(_ count: Int, timestamp: Int64) -> [RecordInput] {
    (0..<count).map { _ in RecordInput(key: nil, value: value, timestamp: timestamp) }
}

/// Appends `total` records in batches of `batch` from one thread.
func appendSequential(_ log: PartitionLog, total: Int, batch: Int) throws -> Double {
    let input = records(batch, timestamp: 1_764_000_000_000)
    let start = MonotonicClock.nanoseconds()
    var appended = 0
    while appended < total {
        try log.append(input)
        appended += batch
    }
    return seconds(since: start)
}

/// `threads` appenders each appending single records (blocking form) for `duration` seconds.
func appendConcurrent(_ log: PartitionLog, threads: Int, duration: Double) -> (Int, Double) {
    let count = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
    let start = MonotonicClock.nanoseconds()
    let workers = (0..<threads).map { _ in
        SystemThread(name: "bench-append") {
            let input = records(1, timestamp: 1_764_000_000_000)
            while !stop.load(ordering: .relaxed) {
                guard (try? log.append(input)) != nil else { return }
                count.add(1, ordering: .relaxed)
            }
        }
    }
    while seconds(since: start) < duration { usleep(10_000) }
    stop.store(true, ordering: .relaxed)
    for worker in workers { worker.join() }
    return (count.load(ordering: .relaxed), seconds(since: start))
}

func run() throws {
    let options = parseOptions()
    let all = [
        "append-never-1", "append-never-100", "append-interval-1", "append-interval-100", "append-always-1",
        "append-always-64", "read-sequential", "read-random",
    ]
    let selected = options.scenarios.isEmpty ? all : options.scenarios
    let scale = options.quick ? 10 : 1
    let directory = TemporaryDirectory(prefix: "ferry-bench-log", parent: options.directory)
    defer { directory.remove() }
    let root = directory.path
    let environment = LogEnvironment(maxMappedSegments: 64, flusherThreads: 2)
    defer { environment.shutdown() }
    var counter = 0
    func open(_ policy: FlushPolicy) throws -> PartitionLog {
        counter += 1
        return try PartitionLog.open(
            directory: root + "/p\(counter)", configuration: LogConfiguration(flushPolicy: policy),
            environment: environment)
    }
    print("ferry-bench-log: 100-byte records, one partition, data in \(root)")
    var readLog: PartitionLog?
    for scenario in selected {
        switch scenario {
        case "append-never-1", "append-interval-1":
            let log = try open(scenario.contains("never") ? .never : .interval(milliseconds: 200))
            let total = 2_000_000 / scale
            report(scenario, records: total, seconds: try appendSequential(log, total: total, batch: 1))
            log.close()
        case "append-never-100", "append-interval-100":
            let log = try open(scenario.contains("never") ? .never : .interval(milliseconds: 200))
            let total = 10_000_000 / scale
            report(scenario, records: total, seconds: try appendSequential(log, total: total, batch: 100))
            if scenario == "append-never-100" { readLog = log } else { log.close() }
        case "append-always-1", "append-always-64":
            let log = try open(.always)
            let threads = scenario.hasSuffix("64") ? 64 : 1
            let (count, elapsed) = appendConcurrent(log, threads: threads, duration: options.quick ? 1 : 3)
            let syncs = log.syncCount
            report(
                scenario, records: count, seconds: elapsed,
                extra: " [\(syncs) syncs, \(format2(Double(count) / Double(max(syncs, 1)))) records/sync]")
            log.close()
        case "read-sequential", "read-random":
            if readLog == nil {
                let log = try open(.never)
                _ = try appendSequential(log, total: 10_000_000 / scale, batch: 100)
                readLog = log
            }
            let log = readLog!
            let end = log.nextOffset
            if scenario == "read-sequential" {
                var checksum = 0
                let start = MonotonicClock.nanoseconds()
                var offset: Int64 = 0
                while offset < end {
                    let batch = try log.read(from: offset, maxRecords: 1000)
                    for record in batch.records { checksum &+= record.value?.count ?? 0 }
                    offset = batch.nextOffset
                }
                report(
                    scenario, records: Int(end), seconds: seconds(since: start), extra: " [\(checksum / 100) values]")
            } else {
                let reads = 1_000_000 / scale
                var generator = SystemRandomNumberGenerator()
                let offsets = (0..<reads).map { _ in Int64.random(in: 0..<end, using: &generator) }
                var checksum = 0
                let start = MonotonicClock.nanoseconds()
                for offset in offsets {
                    let batch = try log.read(from: offset, maxRecords: 1)
                    checksum &+= batch.records.first?.value?.count ?? 0
                }
                report(scenario, records: reads, seconds: seconds(since: start), extra: " [\(checksum / 100) values]")
            }
        default:
            print("unknown scenario \(scenario); known: \(all.joined(separator: " "))")
        }
    }
    readLog?.close()
}

do {
    try run()
} catch {
    print("ferry-bench-log failed: \(error)")
    exit(1)
}
