/// When appended data is forced to stable storage.
///
/// - `always`: an append is reported durable only after `msync`/`fdatasync` covers it. Concurrent appenders
///   share one sync (group commit on the flusher thread).
/// - `interval(milliseconds:)`: a background flush runs at most that long after the first unflushed append.
/// - `never`: the log never syncs on its own (the OS writes back eventually; ``PartitionLog/flush()`` and
///   close still sync). A process crash loses nothing; a power loss may lose recent appends.
public enum FlushPolicy: Sendable, Equatable, Hashable, Codable {
    case always
    case interval(milliseconds: Int)
    case never
}

/// The per-partition settings of a log (all partitions of a topic share one).
///
/// Value type; validated by ``validate()`` when a log opens.
public struct LogConfiguration: Sendable, Equatable, Hashable, Codable {
    /// Roll to a new segment when the active one would exceed this many bytes (min 1024, max 1 GiB).
    public var segmentBytes: Int = 134_217_728
    /// Roll the active segment when it is older than this (nil: only by size).
    public var segmentMilliseconds: Int64? = nil
    /// Add a sparse index entry every this many bytes of log (at batch boundaries).
    public var indexIntervalBytes: Int = 4096
    /// Delete closed segments whose newest record is older than this (-1: keep forever).
    public var retentionMilliseconds: Int64 = 604_800_000
    /// Delete the oldest closed segments while the partition is larger than this (-1: no limit).
    public var retentionBytes: Int64 = -1
    /// The largest encoded record accepted by `append`.
    public var maxMessageBytes: Int = 1_048_576
    /// The fsync policy.
    public var flushPolicy: FlushPolicy = .interval(milliseconds: 1000)
    /// Disk space is preallocated (`posix_fallocate`) for the active segment in chunks of at most this many
    /// bytes (min 4096), so that thousands of mostly idle partitions do not each reserve a full segment.
    public var preallocationBytes: Int = 4 << 20

    public init(
        segmentBytes: Int = 134_217_728,
        segmentMilliseconds: Int64? = nil,
        indexIntervalBytes: Int = 4096,
        retentionMilliseconds: Int64 = 604_800_000,
        retentionBytes: Int64 = -1,
        maxMessageBytes: Int = 1_048_576,
        flushPolicy: FlushPolicy = .interval(milliseconds: 1000),
        preallocationBytes: Int = 4 << 20
    ) {
        self.segmentBytes = segmentBytes
        self.segmentMilliseconds = segmentMilliseconds
        self.indexIntervalBytes = indexIntervalBytes
        self.retentionMilliseconds = retentionMilliseconds
        self.retentionBytes = retentionBytes
        self.maxMessageBytes = maxMessageBytes
        self.flushPolicy = flushPolicy
        self.preallocationBytes = preallocationBytes
    }

    /// Throws ``LogError/invalidConfiguration(_:)`` naming the first value out of range.
    public func validate() throws(LogError) {
        func check(_ condition: Bool, _ message: String) throws(LogError) {
            if !condition { throw LogError.invalidConfiguration(message) }
        }
        try check(
            segmentBytes >= 1024 && segmentBytes <= RecordBatchFormat.maximumBatchBytes,
            "segmentBytes must be in 1024...\(RecordBatchFormat.maximumBatchBytes)")
        try check(segmentMilliseconds.map { $0 > 0 } ?? true, "segmentMilliseconds must be > 0")
        try check(indexIntervalBytes >= 1, "indexIntervalBytes must be >= 1")
        try check(retentionMilliseconds >= -1, "retentionMilliseconds must be >= -1")
        try check(retentionBytes >= -1, "retentionBytes must be >= -1")
        try check(
            maxMessageBytes >= 1 && maxMessageBytes <= RecordBatchFormat.maximumBatchBytes,
            "maxMessageBytes must be in 1...\(RecordBatchFormat.maximumBatchBytes)")
        if case .interval(let milliseconds) = flushPolicy {
            try check(milliseconds >= 1, "flush interval must be >= 1 ms")
        }
        try check(preallocationBytes >= 4096, "preallocationBytes must be >= 4096")
    }
}
