import FerrySystem

/// The sparse offset and time indexes of one segment, in memory.
///
/// The active segment builds it as batches are appended (``record(batchAt:relativeOffset:length:maxTimestamp:interval:)``)
/// and mirrors every new entry into its `.index`/`.timeindex` files at once (``ActiveIndexFiles``); a closed
/// segment loads (validates) it from those files when first read. Readers always use this in-memory copy.
/// Not thread-safe: the owner's lock guards it.
struct SegmentIndex: Equatable {
    var offsets: [OffsetIndexEntry] = []
    var times: [TimeIndexEntry] = []
    /// Bytes appended since the last offset-index entry (or since the segment start).
    var bytesSinceLastEntry = 0
    /// The largest record timestamp in the segment so far (`Int64.min` when empty).
    var maxTimestamp = Int64.min

    /// Accounts for a batch appended at `position`: adds index entries at the batch start when at least
    /// `interval` bytes were appended since the previous entry.
    @inline(__always)
    mutating func record(
        batchAt position: Int, relativeOffset: UInt32, length: Int, maxTimestamp batchMax: Int64,
        interval: Int
    ) {
        if bytesSinceLastEntry >= interval {
            offsets.append(OffsetIndexEntry(relativeOffset: relativeOffset, position: UInt32(position)))
            if maxTimestamp != Int64.min, maxTimestamp > (times.last?.timestamp ?? Int64.min) {
                times.append(TimeIndexEntry(timestamp: maxTimestamp, relativeOffset: relativeOffset))
            }
            bytesSinceLastEntry = 0
        }
        bytesSinceLastEntry += length
        if batchMax > maxTimestamp { maxTimestamp = batchMax }
    }

    /// The position of the last indexed batch whose base offset is <= `relativeOffset` (0 when none).
    func floorPosition(forRelativeOffset relativeOffset: UInt32) -> Int {
        var low = 0
        var high = offsets.count
        while low < high {
            let middle = (low + high) / 2
            if offsets[middle].relativeOffset <= relativeOffset { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? 0 : Int(offsets[low - 1].position)
    }

    /// The relative offset to start scanning from for the first record with timestamp >= `timestamp`:
    /// the last time entry with a smaller timestamp, or 0.
    func scanStart(forTimestamp timestamp: Int64) -> UInt32 {
        var low = 0
        var high = times.count
        while low < high {
            let middle = (low + high) / 2
            if times[middle].timestamp < timestamp { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? 0 : times[low - 1].relativeOffset
    }

    /// Writes the `.index` and `.timeindex` files whole (atomically, not synced: indexes are validated and
    /// rebuilt when needed). Used when a closed segment's index is rebuilt and when the active segment's files
    /// could not be kept current; an empty index is written as two empty files.
    func persist(to paths: SegmentPaths) {
        try? FileSystem.writeAtomically(paths.index, OffsetIndexEntry.encode(offsets), durable: false)
        try? FileSystem.writeAtomically(paths.timeIndex, TimeIndexEntry.encode(times), durable: false)
    }

    /// Parses and validates the index files of a closed segment of `segmentSize` bytes. Nil when they are
    /// malformed (see ``validPrefix(offsets:times:segmentSize:)``): the caller rebuilds them. Trailing zeroed
    /// space (an active segment's preallocation that was never trimmed) and a partial last entry are ignored.
    /// (Missing files are passed as empty arrays.)
    static func decode(offsets offsetBytes: [UInt8], times timeBytes: [UInt8], segmentSize: Int) -> SegmentIndex? {
        let offsets = OffsetIndexEntry.decodeEntries(offsetBytes)
        let times = TimeIndexEntry.decodeEntries(timeBytes)
        let (index, complete) = validPrefix(offsets: offsets, times: times, segmentSize: segmentSize)
        return complete ? index : nil
    }

    /// The longest prefix of `offsets` whose entries are strictly increasing in both fields with positions in
    /// `1..<segmentSize`, and the longest prefix of `times` that is strictly increasing in both fields and whose
    /// every relative offset is one of the kept offset entries'. `complete` is false when anything was dropped.
    /// `maxTimestamp` is the last kept time entry's (the largest timestamp before the last kept offset entry,
    /// as far as the index knows); `bytesSinceLastEntry` is 0.
    static func validPrefix(
        offsets: [OffsetIndexEntry], times: [TimeIndexEntry], segmentSize: Int
    ) -> (index: SegmentIndex, complete: Bool) {
        var index = SegmentIndex()
        index.offsets.reserveCapacity(offsets.count)
        for entry in offsets {
            if let last = index.offsets.last,
                entry.relativeOffset <= last.relativeOffset || entry.position <= last.position
            {
                break
            }
            if entry.position == 0 || Int(entry.position) >= segmentSize { break }
            index.offsets.append(entry)
        }
        // Both lists are sorted by relative offset: walk them together to check that each time entry names an
        // offset entry.
        var cursor = 0
        for entry in times {
            if let last = index.times.last,
                entry.relativeOffset <= last.relativeOffset || entry.timestamp <= last.timestamp
            {
                break
            }
            while cursor < index.offsets.count && index.offsets[cursor].relativeOffset < entry.relativeOffset {
                cursor += 1
            }
            guard cursor < index.offsets.count, index.offsets[cursor].relativeOffset == entry.relativeOffset else {
                break
            }
            index.times.append(entry)
        }
        index.maxTimestamp = index.times.last?.timestamp ?? Int64.min
        return (index, index.offsets.count == offsets.count && index.times.count == times.count)
    }

    /// Keeps only the entries up to and including the offset entry at `relativeOffset` (used by recovery to
    /// resume from that entry); restores `maxTimestamp` to the time index's view of the records before it.
    mutating func truncate(toEntryAt relativeOffset: UInt32) {
        offsets.removeAll { $0.relativeOffset > relativeOffset }
        times.removeAll { $0.relativeOffset > relativeOffset }
        maxTimestamp = times.last?.timestamp ?? Int64.min
        bytesSinceLastEntry = 0
    }
}
