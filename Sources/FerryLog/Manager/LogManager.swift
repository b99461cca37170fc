import FerrySystem
import Synchronization

/// Every partition log under a data directory: `<data>/topics/<topic>/topic.json` plus one directory per
/// partition (`<data>/topics/<topic>/<partition>/`).
///
/// Owns a ``LogEnvironment`` (flusher threads, the LRU budget of mapped segments, the clock). At start-up it
/// recovers every partition of every topic found on disk (``startupReport``). Thread-safe: a `Mutex` guards
/// the topic table; topic creation, deletion and growth are serialised by a second lock and may block on
/// fsync. Lookups (``partition(topic:partition:)``) are cheap.
public final class LogManager: Sendable {
    /// What start-up recovery found.
    public struct StartupReport: Sendable, Equatable {
        public var topics = 0
        public var partitions = 0
        /// Segments found over all partitions (closed ones are only `stat`ed at start-up).
        public var segments = 0
        /// Segments whose batches were verified (structure, CRC32C, offsets): the last one of each partition.
        public var checkedSegments = 0
        /// Sum of ``RecoveryReport/truncatedBytes`` over all partitions.
        public var truncatedBytes = 0
        /// Partitions whose last segment's index was rebuilt.
        public var rebuiltIndexes = 0
        /// Sum of ``RecoveryReport/scannedBytes``: bytes of last segments read and CRC-checked at start-up.
        public var scannedBytes = 0
        /// Topic directories skipped because their `topic.json` is missing or unreadable.
        public var skippedDirectories: [String] = []
    }

    struct Topic {
        var metadata: TopicManifest
        var partitions: [PartitionLog]
    }
    struct State {
        var topics: [String: Topic] = [:]
        var isShutdown = false
    }

    public let dataDirectory: String
    public let environment: LogEnvironment
    public let startupReport: StartupReport
    let state: Mutex<State>
    let adminLock = Mutex(())

    var topicsDirectory: String { dataDirectory + "/topics" }
    var deletingDirectory: String { dataDirectory + "/deleting" }

    /// Opens (creating) the data directory and recovers every topic in it. Blocks on disk I/O.
    ///
    /// - Parameters:
    ///   - maxMappedSegments: the LRU budget of mapped closed segments across all partitions.
    ///   - flusherThreads: threads doing group commits and interval flushes.
    ///   - clock: wall-clock milliseconds (creation times, time-based rolls).
    public init(
        dataDirectory: String, maxMappedSegments: Int = 512, flusherThreads: Int = 2,
        clock: @escaping @Sendable () -> Int64 = { WallClock.milliseconds() }
    ) throws(LogError) {
        self.dataDirectory = dataDirectory
        let environment = LogEnvironment(
            maxMappedSegments: maxMappedSegments, flusherThreads: flusherThreads,
            clock: clock)
        self.environment = environment
        var report = StartupReport()
        var topics: [String: Topic] = [:]
        do {
            try FileSystem.createDirectories(dataDirectory + "/topics")
            try FileSystem.removeTree(dataDirectory + "/deleting")
            for name in try FileSystem.contentsOfDirectory(dataDirectory + "/topics").sorted() {
                let directory = dataDirectory + "/topics/" + name
                guard FileSystem.isDirectory(directory) else { continue }
                guard TopicManifest.isValidName(name), let bytes = try FileSystem.readFile(directory + "/topic.json"),
                    let metadata = TopicManifest.decode(bytes), metadata.name == name
                else {
                    report.skippedDirectories.append(name)
                    continue
                }
                var partitions: [PartitionLog] = []
                for number in 0..<metadata.partitionCount {
                    let log = try PartitionLog.open(
                        directory: directory + "/\(number)",
                        configuration: metadata.configuration, environment: environment,
                        synchronizeRecoveredData: false)
                    report.segments += log.recoveryReport.segmentCount
                    report.checkedSegments += 1
                    report.truncatedBytes += log.recoveryReport.truncatedBytes
                    report.rebuiltIndexes += log.recoveryReport.rebuiltIndex ? 1 : 0
                    report.scannedBytes += log.recoveryReport.scannedBytes
                    partitions.append(log)
                }
                report.topics += 1
                report.partitions += partitions.count
                topics[name] = Topic(metadata: metadata, partitions: partitions)
            }
            // One sync for every recovered partition (what a crashed process left may be in the page cache
            // only), instead of one fdatasync per partition.
            try FileSystem.syncFileSystem(containing: dataDirectory)
        } catch let error as LogError {
            environment.shutdown()
            throw error
        } catch let error as SystemError {
            environment.shutdown()
            throw LogError(error)
        } catch {
            environment.shutdown()
            throw LogError.invalidConfiguration("\(error)")
        }
        self.startupReport = report
        self.state = Mutex(State(topics: topics))
    }

    /// The names of all topics, sorted (code-point order).
    public var topicNames: [String] {
        state.withLock { $0.topics.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
    }

    /// A topic's metadata, or nil.
    public func topic(_ name: String) -> TopicManifest? { state.withLock { $0.topics[name]?.metadata } }

    /// One partition's log, or nil when the topic or partition does not exist.
    public func partition(topic: String, partition: Int) -> PartitionLog? {
        state.withLock { state in
            guard let entry = state.topics[topic], partition >= 0, partition < entry.partitions.count else {
                return nil
            }
            return entry.partitions[partition]
        }
    }

    /// All partition logs of a topic in partition order, or nil.
    public func partitions(topic: String) -> [PartitionLog]? { state.withLock { $0.topics[topic]?.partitions } }

    /// Runs retention over every partition; returns the summed report (its `logStartOffset` is meaningless).
    @discardableResult
    public func enforceRetention(nowMilliseconds now: Int64) -> RetentionReport {
        var total = RetentionReport()
        for log in state.withLock({ $0.topics.values.flatMap(\.partitions) }) {
            guard let report = try? log.enforceRetention(nowMilliseconds: now) else { continue }
            total.deletedSegments += report.deletedSegments
            total.deletedBytes += report.deletedBytes
        }
        return total
    }

    /// Drops the resident pages of mapped closed segments (see ``SegmentCache/releaseResidentPages()``): one
    /// `madvise` per mapped segment. Call periodically (with retention); never blocks on disk.
    public func releaseResidentPages() {
        environment.cache.releaseResidentPages()
    }

    /// Closes every partition and stops the flusher threads, then syncs the whole file system once
    /// (`syncfs`: one call for thousands of partitions instead of one sync each). Idempotent; blocks.
    public func shutdown() {
        let (logs, wasShutdown) = state.withLock { state -> ([PartitionLog], Bool) in
            defer { state.isShutdown = true }
            return (state.topics.values.flatMap(\.partitions), state.isShutdown)
        }
        if wasShutdown { return }
        for log in logs { log.close(synchronize: false) }
        environment.shutdown()
        try? FileSystem.syncFileSystem(containing: dataDirectory)
    }
}
