import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// Errors of the storage layer.
///
/// Everything read from disk or passed in by callers that can be wrong throws one of these (never traps).
/// `Equatable` for tests; `description` is a human-readable sentence.
public enum LogError: Error, Equatable, CustomStringConvertible, Sendable {
    /// `requested` is below `logStartOffset` (deleted by retention) or above `nextOffset`.
    case offsetOutOfRange(requested: Int64, logStartOffset: Int64, nextOffset: Int64)
    /// One record's encoded size exceeds the partition's `maxMessageBytes`.
    case messageTooLarge(size: Int, maximum: Int)
    /// A whole batch exceeds what one segment can address (``RecordBatchFormat/maximumBatchBytes``).
    case batchTooLarge(size: Int, maximum: Int)
    /// `append` was called with no records.
    case emptyBatch
    /// A record cannot be encoded (a field is longer than the format allows); the message says which.
    case invalidRecord(String)
    /// The disk (or quota) is full; nothing of the batch was written.
    case diskFull
    /// A batch on disk failed its CRC or structural checks; it is never returned to readers.
    case corruptBatch(segmentBaseOffset: Int64, position: Int)
    /// The log was closed (or the manager shut down).
    case closed
    /// A configuration value is out of range; the message names it.
    case invalidConfiguration(String)
    /// A topic name is not `[A-Za-z0-9._-]{1,249}` or is `.` / `..`.
    case invalidTopicName(String)
    /// The topic already exists.
    case topicExists(String)
    /// No such topic.
    case topicNotFound(String)
    /// The partition count is out of range or would shrink.
    case invalidPartitionCount(Int)
    /// An earlier flush failed: the log no longer accepts appends (data written since may not be durable).
    case flushFailed(SystemError)
    /// Any other system-call failure.
    case io(SystemError)

    public var description: String {
        switch self {
        case .offsetOutOfRange(let requested, let start, let next):
            return "offset \(requested) is out of range [\(start), \(next)]"
        case .messageTooLarge(let size, let maximum):
            return "record of \(size) bytes exceeds the maximum of \(maximum) bytes"
        case .batchTooLarge(let size, let maximum):
            return "batch of \(size) bytes exceeds the maximum of \(maximum) bytes"
        case .emptyBatch: return "a batch needs at least one record"
        case .invalidRecord(let reason): return "invalid record: \(reason)"
        case .diskFull: return "no space left on device"
        case .corruptBatch(let base, let position):
            return "corrupt batch at position \(position) of segment \(base)"
        case .closed: return "the log is closed"
        case .invalidConfiguration(let reason): return "invalid configuration: \(reason)"
        case .invalidTopicName(let name): return "invalid topic name '\(name)'"
        case .topicExists(let name): return "topic '\(name)' already exists"
        case .topicNotFound(let name): return "topic '\(name)' does not exist"
        case .invalidPartitionCount(let count): return "invalid partition count \(count)"
        case .flushFailed(let error): return "an earlier flush failed (\(error)); the log is read-only"
        case .io(let error): return error.description
        }
    }

    /// Maps a system error: a full disk (`ENOSPC`, `EDQUOT`, or `EFBIG` from a file-size limit) becomes
    /// ``diskFull``, anything else ``io(_:)``.
    init(_ error: SystemError) {
        self = error.isDiskFull || error.errno == EFBIG ? .diskFull : .io(error)
    }
}
