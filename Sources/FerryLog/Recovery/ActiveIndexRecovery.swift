import FerrySystem

/// What recovery could use of the last segment's index files.
struct RecoveredIndex {
    /// The entries kept, all at or before the last kept entry, with that entry's batch accounted for (as if
    /// recovery's scan had read it).
    var index = SegmentIndex()
    /// The position of the last kept entry's batch, which was CRC-verified (0 without a kept entry).
    var verifiedFrom = 0
    /// Where the scan of the log resumes: right after that batch (0 without a kept entry).
    var resumePosition = 0
    /// The offset the batch at ``resumePosition`` must start with (the segment's base offset without an entry).
    var resumeOffset: Int64
    /// Entries found in the files (up to their zeroed end) that were not kept.
    var droppedEntries = 0
}

/// The index half of recovery: reads the last segment's `.index`/`.timeindex` as untrusted hints.
///
/// The active segment's index files are written through a mapping and never synced, so after a crash they
/// may be short, end in zeroed preallocated space, or (after a power loss, or on a damaged disk) hold entries
/// that point past the data that survived, or garbage. Nothing in them is believed without a check.
enum ActiveIndexRecovery {
    /// Loads the index files of the last segment, whose log is mapped at `base` with `size` bytes:
    /// 1. the whole entries before the first all-zero entry (the unwritten preallocated space);
    /// 2. of those, the longest prefix that is strictly increasing and points inside the log, with time entries
    ///    that are strictly increasing and name kept offset entries (``SegmentIndex/validPrefix(offsets:times:segmentSize:)``);
    /// 3. from the last kept entry backwards, the first that has a time entry at the same offset and points at a
    ///    structurally valid, CRC-correct batch whose base offset is the one the entry names: the scan resumes
    ///    after that batch, and the entries after it (which point beyond the last valid batch, or might have
    ///    lost their time entries) are dropped.
    ///
    /// Why the time entry: the segment's largest timestamp so far (which picks segments for timestamp lookups
    /// and retention) is taken from the last kept time entry plus what the scan sees; the files are written
    /// back independently, so an offset entry whose time entries were lost would make it too small. Every
    /// offset entry gets a time entry while timestamps grow, so this costs nothing in the usual case.
    /// Missing files count as empty. Throws only when a file exists but cannot be read.
    static func load(
        paths: SegmentPaths, log base: UnsafeRawPointer, size: Int, segmentBaseOffset: Int64, indexInterval: Int
    ) throws(SystemError) -> RecoveredIndex {
        var result = RecoveredIndex(resumeOffset: segmentBaseOffset)
        let offsetBytes = try FileSystem.readFile(paths.index)
        let timeBytes = try FileSystem.readFile(paths.timeIndex)
        let offsets = OffsetIndexEntry.decodeEntries(offsetBytes ?? [])
        let times = TimeIndexEntry.decodeEntries(timeBytes ?? [])
        var (index, _) = SegmentIndex.validPrefix(offsets: offsets, times: times, segmentSize: size)
        var resume: BatchHeader?
        while let last = index.offsets.last {
            while let time = index.times.last, time.relativeOffset > last.relativeOffset { index.times.removeLast() }
            if index.times.last?.relativeOffset == last.relativeOffset,
                let header = RecordBatchDecoder.header(
                    at: Int(last.position), in: base, limit: size, verifyChecksum: true),
                header.baseOffset == segmentBaseOffset + Int64(last.relativeOffset),
                header.nextOffset - segmentBaseOffset <= Int64(UInt32.max)
            {
                resume = header
                break
            }
            index.offsets.removeLast()
        }
        if let last = index.offsets.last, let resume {
            index.truncate(toEntryAt: last.relativeOffset)
            // The scan continues after this batch (its CRC was just checked): account for it as the scan would.
            index.record(
                batchAt: Int(last.position), relativeOffset: last.relativeOffset, length: resume.length,
                maxTimestamp: resume.maxTimestamp, interval: indexInterval)
            result.verifiedFrom = Int(last.position)
            result.resumePosition = Int(last.position) + resume.length
            result.resumeOffset = resume.nextOffset
        } else {
            index = SegmentIndex()
        }
        result.droppedEntries = offsets.count - index.offsets.count + times.count - index.times.count
        result.index = index
        return result
    }
}
