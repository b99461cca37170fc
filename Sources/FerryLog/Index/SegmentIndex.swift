import FerrySystem

/// An entry of the sparse offset index (`.index` file, 8 bytes, little-endian):
///
/// ```
/// +0 u32 relativeOffset   batch base offset - segment base offset
/// +4 u32 position         byte position of that batch in the .log file
/// ```
struct OffsetIndexEntry: Equatable {
    var relativeOffset: UInt32
    var position: UInt32
    static let size = 8
}

/// An entry of the time index (`.timeindex` file, 12 bytes, little-endian):
///
/// ```
/// +0 i64 timestamp        largest timestamp of all records with offset < base + relativeOffset
/// +8 u32 relativeOffset   a batch base offset that also has an offset-index entry
/// ```
///
/// Entries are strictly increasing in both fields, so "the first record with timestamp >= T" lies at or after
/// the `relativeOffset` of the last entry whose timestamp is < T.
struct TimeIndexEntry: Equatable {
    var timestamp: Int64
    var relativeOffset: UInt32
    static let size = 12
}

/// The sparse offset and time indexes of one segment, in memory.
///
/// The active segment builds it as batches are appended (``record(batchAt:relativeOffset:length:maxTimestamp:interval:)``);
/// it is written to the `.index`/`.timeindex` files when the segment is sealed or the log closes, and loaded
/// (validated) from them when a closed segment is first read. Not thread-safe: the owner's lock guards it.
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
    mutating func record(batchAt position: Int, relativeOffset: UInt32, length: Int, maxTimestamp batchMax: Int64,
                         interval: Int) {
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

    /// The `.index` file bytes.
    func encodedOffsets() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: offsets.count * OffsetIndexEntry.size)
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }  // no entries
            for (index, entry) in offsets.enumerated() {
                base.put(entry.relativeOffset, index * 8)
                base.put(entry.position, index * 8 + 4)
            }
        }
        return bytes
    }

    /// The `.timeindex` file bytes.
    func encodedTimes() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: times.count * TimeIndexEntry.size)
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }  // no entries
            for (index, entry) in times.enumerated() {
                base.put(entry.timestamp, index * 12)
                base.put(entry.relativeOffset, index * 12 + 8)
            }
        }
        return bytes
    }

    /// Writes the `.index` and `.timeindex` files (atomically, not synced: indexes are validated and rebuilt
    /// when needed). An empty index is stored as no files at all, saving two file creations per small segment
    /// (thousands of partitions); a missing index means "scan the segment", which is what an empty one means.
    func persist(to paths: SegmentPaths, filesMayExist: Bool = true) {
        if offsets.isEmpty {
            if filesMayExist {
                try? FileSystem.removeFile(paths.index)
                try? FileSystem.removeFile(paths.timeIndex)
            }
            return
        }
        try? FileSystem.writeAtomically(paths.index, encodedOffsets(), durable: false)
        try? FileSystem.writeAtomically(paths.timeIndex, encodedTimes(), durable: false)
    }

    /// Parses and validates index files of a segment of `segmentSize` bytes. Nil when either is malformed:
    /// a partial entry, entries not strictly increasing, a position outside the segment, or a time entry whose
    /// offset has no offset-index entry. (Missing files are passed as empty arrays.)
    static func decode(offsets offsetBytes: [UInt8], times timeBytes: [UInt8], segmentSize: Int) -> SegmentIndex? {
        guard offsetBytes.count % OffsetIndexEntry.size == 0, timeBytes.count % TimeIndexEntry.size == 0 else {
            return nil
        }
        var index = SegmentIndex()
        let valid = offsetBytes.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return true }
            index.offsets.reserveCapacity(raw.count / 8)
            for i in 0..<(raw.count / 8) {
                let entry = OffsetIndexEntry(relativeOffset: base.u32(i * 8), position: base.u32(i * 8 + 4))
                if let last = index.offsets.last,
                   entry.relativeOffset <= last.relativeOffset || entry.position <= last.position { return false }
                if entry.position == 0 || Int(entry.position) >= segmentSize { return false }
                index.offsets.append(entry)
            }
            return true
        }
        guard valid else { return nil }
        let timesValid = timeBytes.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return true }
            for i in 0..<(raw.count / 12) {
                let entry = TimeIndexEntry(timestamp: base.i64(i * 12), relativeOffset: base.u32(i * 12 + 8))
                if let last = index.times.last,
                   entry.relativeOffset <= last.relativeOffset || entry.timestamp <= last.timestamp { return false }
                index.times.append(entry)
            }
            return true
        }
        guard timesValid else { return nil }
        if let lastTime = index.times.last, let lastOffset = index.offsets.last,
           lastTime.relativeOffset > lastOffset.relativeOffset { return nil }
        return index
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
