import FerryLog
import FerrySystem
import Synchronization

// FerryLogCrashChild: the appender process of FerryLogTests' crash test (not a tool).
//
// Usage: FerryLogCrashChild <partition-directory> <first-sequence-number> <threads> [<segment-bytes> <always|never>]
// Opens the partition log (recovering it) with `FlushPolicy.always` and 32 KiB segments (or the given segment
// size and policy), then appends forever from several threads with the callback form. Each record's key is "seq-N" and its value is derived from N
// (`CrashRecord.value(N)`). When a batch is reported durable the child prints one line to stdout:
//     D <baseOffset> <lastOffset> <firstSequence>
// The parent SIGKILLs it at a random moment and checks every reported batch after reopening the log.
//
// Usage: FerryLogCrashChild --fill <partition-directory> <file-size-limit-bytes>
// Sets RLIMIT_FSIZE (so allocation fails like a full disk), appends until an append fails, printing
// "A <baseOffset> <lastOffset> <firstSequence>" per append and then "F <error>", and exits 0.
#if canImport(Glibc)
    import Glibc
#endif

/// Serialised, unbuffered lines on stdout (the parent may kill us between any two writes).
final class LineWriter: Sendable {
    private let lock = Mutex(())

    func say(_ line: String) {
        lock.withLock { _ in
            var bytes = Array((line + "\n").utf8)
            bytes.withUnsafeMutableBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = write(1, raw.baseAddress! + done, raw.count - done)
                    if n <= 0 { exit(3) }
                    done += n
                }
            }
        }
    }
}

@main
enum CrashChild {
    static func main() {
        let arguments = CommandLine.arguments
        if arguments.count == 4 && arguments[1] == "--fill" {
            fill(directory: arguments[2], limit: Int(arguments[3]) ?? 65536)
            return
        }
        guard arguments.count == 4 || arguments.count == 6, let firstSequence = Int(arguments[2]),
            let threadCount = Int(arguments[3])
        else {
            print("usage: FerryLogCrashChild <dir> <first-sequence> <threads> [<segment-bytes> <always|never>]")
            exit(2)
        }
        var configuration = LogConfiguration(
            segmentBytes: 32 * 1024, indexIntervalBytes: 1024, flushPolicy: .always,
            preallocationBytes: 8192)
        if arguments.count == 6 {
            configuration.segmentBytes = Int(arguments[4]) ?? configuration.segmentBytes
            configuration.flushPolicy = arguments[5] == "never" ? .never : .always
            configuration.preallocationBytes = 1 << 20
        }
        let environment = LogEnvironment(maxMappedSegments: 8, flusherThreads: 2)
        let log: PartitionLog
        do {
            log = try PartitionLog.open(directory: arguments[1], configuration: configuration, environment: environment)
        } catch {
            print("E open \(error)")
            exit(1)
        }
        let writer = LineWriter()
        let sequence = Atomic<Int>(firstSequence)
        writer.say("R \(log.nextOffset)")
        let threads = (0..<threadCount).map { number in
            SystemThread(name: "crash-append-\(number)") {
                var random = UInt64(number + 1) &* 0x2545_F491_4F6C_DD1D
                while true {
                    random ^= random << 13
                    random ^= random >> 7
                    random ^= random << 17
                    let count = Int(random % 8) + 1
                    let first = sequence.add(count, ordering: .relaxed).oldValue
                    let records = (0..<count).map { CrashRecord.make(first + $0) }
                    let pending = Atomic<Bool>(true)
                    let report: @Sendable (Result<AppendResult, LogError>) -> Void = { result in
                        switch result {
                        case .success(let appended):
                            writer.say("D \(appended.baseOffset) \(appended.lastOffset) \(first)")
                        case .failure(let error):
                            writer.say("E append \(error)")
                        }
                        pending.store(false, ordering: .releasing)
                    }
                    do throws(LogError) {
                        _ = try log.appendDeferringDurability(records, onDurable: report)
                    } catch {
                        report(.failure(error))
                    }
                    // Sometimes wait for the batch, sometimes keep it in flight, like concurrent HTTP requests.
                    if random % 4 == 0 {
                        while pending.load(ordering: .acquiring) { usleep(100) }
                    }
                }
            }
        }
        for thread in threads { thread.join() }
    }

    /// Appends under a file-size limit until the log reports a full disk.
    static func fill(directory: String, limit: Int) {
        signal(SIGXFSZ, SIG_IGN)
        var limits = rlimit(rlim_cur: rlim_t(limit), rlim_max: rlim_t(limit))
        setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limits)
        let writer = LineWriter()
        let environment = LogEnvironment(maxMappedSegments: 8, flusherThreads: 1)
        let configuration = LogConfiguration(
            segmentBytes: 1 << 20, indexIntervalBytes: 1024, flushPolicy: .never,
            preallocationBytes: 4096)
        do {
            let log = try PartitionLog.open(
                directory: directory, configuration: configuration, environment: environment)
            var sequence = 0
            for round in 0..<100_000 {
                let count = round % 5 + 1
                let records = (0..<count).map { CrashRecord.make(sequence + $0) }
                do {
                    let result = try log.append(records)
                    writer.say("A \(result.baseOffset) \(result.lastOffset) \(sequence)")
                    sequence += count
                } catch {
                    writer.say("F \(error)")
                    break
                }
            }
            log.close()
        } catch {
            writer.say("E \(error)")
        }
        environment.shutdown()
    }
}
