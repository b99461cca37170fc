/// A fixed-size entry of an index file, stored little-endian with no header: a file is `count × size` bytes
/// (closed segments, and the format Ferry has always written), or, for the active segment, those entries
/// followed by zeroed preallocated space.
///
/// An all-zero entry is never a real entry (an offset entry's position and a time entry's relative offset are
/// always > 0: the batch at position 0 is never indexed), so readers take it as the end of the entries.
protocol IndexEntry: Equatable {
    /// Bytes of one entry in the file.
    static var size: Int { get }
    /// Reads the entry at byte offset `at` (unaligned).
    init(from base: UnsafeRawPointer, at: Int)
    /// Writes the entry at byte offset `at` (unaligned).
    func store(to base: UnsafeMutableRawPointer, at: Int)
    /// Whether every field is zero (the end marker of a preallocated file).
    var isZero: Bool { get }
}

/// An entry of the sparse offset index (`.index` file, 8 bytes, little-endian):
///
/// ```
/// +0 u32 relativeOffset   batch base offset - segment base offset
/// +4 u32 position         byte position of that batch in the .log file
/// ```
struct OffsetIndexEntry: IndexEntry {
    var relativeOffset: UInt32
    var position: UInt32
    static let size = 8

    init(relativeOffset: UInt32, position: UInt32) {
        self.relativeOffset = relativeOffset
        self.position = position
    }

    @inline(__always)
    init(from base: UnsafeRawPointer, at: Int) {
        self.init(relativeOffset: base.u32(at), position: base.u32(at + 4))
    }

    @inline(__always)
    func store(to base: UnsafeMutableRawPointer, at: Int) {
        base.put(relativeOffset, at)
        base.put(position, at + 4)
    }

    var isZero: Bool { relativeOffset == 0 && position == 0 }
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
struct TimeIndexEntry: IndexEntry {
    var timestamp: Int64
    var relativeOffset: UInt32
    static let size = 12

    init(timestamp: Int64, relativeOffset: UInt32) {
        self.timestamp = timestamp
        self.relativeOffset = relativeOffset
    }

    @inline(__always)
    init(from base: UnsafeRawPointer, at: Int) {
        self.init(timestamp: base.i64(at), relativeOffset: base.u32(at + 8))
    }

    @inline(__always)
    func store(to base: UnsafeMutableRawPointer, at: Int) {
        base.put(timestamp, at)
        base.put(relativeOffset, at + 8)
    }

    var isZero: Bool { timestamp == 0 && relativeOffset == 0 }
}

extension IndexEntry {
    /// The file bytes of `entries` (exactly `count × size`).
    static func encode(_ entries: [Self]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: entries.count * size)
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }  // no entries
            for (index, entry) in entries.enumerated() { entry.store(to: base, at: index * size) }
        }
        return bytes
    }

    /// The whole entries of a file's bytes up to the first all-zero entry (the end of a preallocated file);
    /// a partial entry at the end is ignored. No other validation: callers check the order and bounds.
    static func decodeEntries(_ bytes: [UInt8]) -> [Self] {
        bytes.withUnsafeBytes { raw -> [Self] in
            guard let base = raw.baseAddress else { return [] }
            var entries: [Self] = []
            entries.reserveCapacity(raw.count / size)
            for index in 0..<(raw.count / size) {
                let entry = Self(from: base, at: index * size)
                if entry.isZero { break }
                entries.append(entry)
            }
            return entries
        }
    }
}
