import FerrySystem

/// The `.index` and `.timeindex` files of the active segment, mirroring its in-memory ``SegmentIndex``.
///
/// Invariants: both files exist from the moment the segment is created (or adopted by recovery); after every
/// ``catchUp(with:)`` they hold a prefix of the in-memory entries (all of them unless an entry could not be
/// stored, see ``ActiveIndexFile``); after ``finish(_:)`` they hold exactly those entries, in the format of a
/// closed segment's index files. They are never synced on their own and are never trusted by recovery
/// without checking. Not thread-safe: owned by ``ActiveSegment``.
struct ActiveIndexFiles {
    var offsets: ActiveIndexFile<OffsetIndexEntry>
    var times: ActiveIndexFile<TimeIndexEntry>

    /// The most index entries a segment mapped with `logCapacity` bytes can get at `interval` bytes between
    /// entries: each entry is at least `interval` bytes and one batch after the previous one (or the start).
    static func capacity(logCapacity: Int, interval: Int) -> Int {
        let minimumBatch = RecordBatchFormat.batchHeaderSize + RecordBatchFormat.recordHeaderSize
        return logCapacity / max(interval, minimumBatch) + 2
    }

    /// Creates (or empties) both files of a new segment.
    static func create(paths: SegmentPaths, capacity: Int) throws(SystemError) -> ActiveIndexFiles {
        ActiveIndexFiles(
            offsets: try .create(path: paths.index, capacity: capacity),
            times: try .create(path: paths.timeIndex, capacity: capacity))
    }

    /// Takes over the files recovery read: keeps the first `keptOffsets`/`keptTimes` entries on disk (which
    /// equal `index`'s first entries), drops the rest, and writes `index`'s later entries.
    static func adopt(
        paths: SegmentPaths, capacity: Int, index: SegmentIndex, keptOffsets: Int, keptTimes: Int
    ) throws(SystemError) -> ActiveIndexFiles {
        ActiveIndexFiles(
            offsets: try .adopt(path: paths.index, capacity: capacity, kept: keptOffsets, entries: index.offsets),
            times: try .adopt(path: paths.timeIndex, capacity: capacity, kept: keptTimes, entries: index.times))
    }

    /// Stores the entries `index` gained since the last call.
    @inline(__always)
    mutating func catchUp(with index: SegmentIndex) {
        offsets.catchUp(with: index.offsets)
        times.catchUp(with: index.times)
    }

    /// Makes both files final (exactly `index`'s entries, no preallocated space) and unmaps them.
    mutating func finish(_ index: SegmentIndex) {
        offsets.finish(entries: index.offsets)
        times.finish(entries: index.times)
    }
}
