/// What opening a partition found and repaired.
///
/// Recovery is a result, not an error: a torn or corrupt tail is truncated and reported here.
public struct RecoveryReport: Sendable, Equatable {
    /// The number of segments found (after recovery).
    public var segmentCount: Int
    /// Valid bytes in the last segment.
    public var validBytes: Int
    /// Non-zero bytes removed after the last valid batch (a torn batch, garbage or a corrupt batch and what
    /// followed it). Zeroed preallocated space is kept for the next appends (and removed with the garbage
    /// when there is any) and never counted.
    public var truncatedBytes: Int
    /// Whether the last segment's index had to be rebuilt by a full scan (missing, stale or corrupt).
    public var rebuiltIndex: Bool
    /// The log end offset after recovery.
    public var nextOffset: Int64
    /// Bytes of the last segment whose batches recovery read and CRC-checked: from the last usable entry of
    /// its on-disk index (or from the start without one) to the end of the valid data. Small after a crash
    /// when the index files were current; `validBytes` when the whole segment had to be scanned.
    public var scannedBytes: Int
    /// Entries of the last segment's index files that recovery did not use and dropped: pointing past the
    /// last valid batch, not strictly increasing, outside the file, at no batch with the offset they name, or
    /// after the last offset entry that has a time entry (see ``PartitionLog/open(directory:configuration:environment:synchronizeRecoveredData:)``).
    public var droppedIndexEntries: Int
}

/// The scanning half of recovery: walks batches, verifying each one, and builds the index as it goes.
enum LogRecovery {
    /// Scans batches from `position` while they are valid: structure, CRC32C and a base offset equal to the
    /// next expected offset. Records index entries into `index`. Returns the end of the last valid batch and
    /// the offset after it.
    static func scan(
        _ base: UnsafeRawPointer, limit: Int, from start: Int, expectedOffset: Int64, segmentBaseOffset: Int64,
        index: inout SegmentIndex, indexInterval: Int
    ) -> (validEnd: Int, nextOffset: Int64) {
        var position = start
        var next = expectedOffset
        while let header = RecordBatchDecoder.header(at: position, in: base, limit: limit, verifyChecksum: true),
            header.baseOffset == next,
            header.nextOffset - segmentBaseOffset <= Int64(UInt32.max)
        {
            index.record(
                batchAt: position, relativeOffset: UInt32(header.baseOffset - segmentBaseOffset),
                length: header.length, maxTimestamp: header.maxTimestamp, interval: indexInterval)
            position += header.length
            next = header.nextOffset
        }
        return (position, next)
    }

    /// The number of bytes in `[from, limit)` up to and including the last non-zero byte: how much real data
    /// (torn or garbage) lies after the valid end, as opposed to zeroed preallocation.
    static func nonZeroExtent(_ base: UnsafeRawPointer, from: Int, limit: Int) -> Int {
        var end = limit
        // 64 bytes at a time first (the zeroed preallocation is often megabytes), then 8, then single bytes.
        while end - from >= 64 {
            var any: UInt64 = 0
            for word in 0..<8 { any |= base.loadUnaligned(fromByteOffset: end - 64 + word * 8, as: UInt64.self) }
            if any != 0 { break }
            end -= 64
        }
        while end - from >= 8 && base.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self) == 0 { end -= 8 }
        while end > from && base.load(fromByteOffset: end - 1, as: UInt8.self) == 0 { end -= 1 }
        return end - from
    }
}
