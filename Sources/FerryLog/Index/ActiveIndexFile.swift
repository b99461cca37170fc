import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// One index file of the active segment (`.index` or `.timeindex`), kept current entry by entry.
///
/// The file holds ``count`` entries followed by zeroed space: disk blocks are allocated with `posix_fallocate`
/// in growing chunks ahead of the writer (so a full disk is an error, never `SIGBUS`), and each entry is
/// stored through a shared mapping, so adding one costs a few stores and no system call (a growth, every
/// few hundred entries, costs an `open`, an `fallocate` and a `close`). Nothing is synced: the file is a hint
/// that recovery checks entry by entry (``ActiveIndexRecovery``) and an all-zero entry ends it.
/// ``finish(entries:)`` trims it to exactly ``count`` entries, the format of a closed segment's index.
///
/// No descriptor is kept open, and the mapping is only made when the first entry is added (an idle partition
/// costs none). If an entry cannot be stored (a full disk, or more entries than the mapping was sized for),
/// the file keeps its valid prefix, ``isComplete`` becomes false and no more entries are stored; `finish`
/// then rewrites the file whole. Not thread-safe: ``ActiveSegment`` keeps it inside the partition's state lock.
struct ActiveIndexFile<Entry: IndexEntry> {
    let path: String
    /// The most entries the mapping can hold (its length is `capacity × Entry.size`, page-rounded).
    let capacity: Int
    /// The writable mapping, made on the first growth.
    private(set) var region: MappedRegion?
    /// Entries stored in the file.
    private(set) var count: Int
    /// Bytes of the file with disk blocks allocated (its size).
    private(set) var allocated: Int
    /// False once an entry could not be stored: the file then holds only the first ``count`` entries.
    private(set) var isComplete = true

    /// The largest growth step: an idle active segment wastes at most this much per index file.
    static var maximumChunk: Int { 64 * 1024 }

    /// Creates (or empties) the file at `path` for an index of at most `capacity` entries.
    static func create(path: String, capacity: Int) throws(SystemError) -> ActiveIndexFile {
        let fd = try FileDescriptor.open(path, O_RDWR | O_CREAT | O_TRUNC)
        fd.close()
        return ActiveIndexFile(path: path, capacity: capacity, count: 0, allocated: 0)
    }

    /// Takes over the file left by a previous run: keeps its first `kept` entries (recovery checked them and
    /// found them equal to `entries[..<kept]`), cuts everything after them, and writes `entries[kept...]`
    /// (found by recovery's scan) after them. Creates the file if it is missing.
    static func adopt(path: String, capacity: Int, kept: Int, entries: [Entry]) throws(SystemError) -> ActiveIndexFile {
        precondition(kept <= entries.count, "adopt: kept \(kept) > \(entries.count) entries")
        let fd = try FileDescriptor.open(path, O_RDWR | O_CREAT)
        defer { fd.close() }
        try fd.truncate(to: kept * Entry.size)
        let tail = Entry.encode(Array(entries[kept...]))
        try tail.withUnsafeBytes { raw in Result { () throws(SystemError) in try fd.write(raw, at: kept * Entry.size) }
        }
        .get()
        return ActiveIndexFile(
            path: path, capacity: max(capacity, entries.count), count: entries.count,
            allocated: entries.count * Entry.size)
    }

    /// Stores the entries of `entries` that the file does not hold yet (`entries` only ever grows by
    /// appending while the segment is active). The common case, nothing new, is one comparison.
    @inline(__always)
    mutating func catchUp(with entries: [Entry]) {
        if entries.count == count || !isComplete { return }
        storeNew(entries)
    }

    private mutating func storeNew(_ entries: [Entry]) {
        while count < entries.count {
            guard reserveOne(), let region else {
                isComplete = false
                return
            }
            entries[count].store(to: region.base, at: count * Entry.size)
            count += 1
        }
    }

    /// Makes sure the file has blocks for one more entry, growing it by a chunk (doubling from 4 KiB, at most
    /// ``maximumChunk``, never beyond the capacity) and mapping it on first use. False when it cannot.
    private mutating func reserveOne() -> Bool {
        let needed = (count + 1) * Entry.size
        if needed <= allocated && region != nil { return true }
        let length = Self.mappingLength(capacity: capacity)
        guard needed <= length else { return false }
        let target = min(length, max(needed, allocated + min(Self.maximumChunk, max(allocated, 4096))))
        do throws(SystemError) {
            let fd = try FileDescriptor.open(path, O_RDWR)
            defer { fd.close() }
            if target > allocated { try fd.allocate(offset: allocated, length: target - allocated) }
            if region == nil { region = try MappedRegion(descriptor: fd, length: length, writable: true) }
        } catch {
            return false
        }
        region?.populateForWriting(allocated..<target)
        allocated = max(allocated, target)
        return true
    }

    /// The mapping's length for `capacity` entries: whole pages.
    static func mappingLength(capacity: Int) -> Int {
        let bytes = max(1, capacity) * Entry.size
        let page = MappedRegion.pageSize
        return (bytes + page - 1) / page * page
    }

    /// Makes the file final for a closed segment: exactly the entries of `entries` (which must extend what was
    /// stored), trimmed of its preallocated space, or rewritten whole when it was not complete. Unmaps it.
    /// Not synced (a closed segment's index is validated when first read, as always). Best effort.
    mutating func finish(entries: [Entry]) {
        catchUp(with: entries)
        if isComplete && count == entries.count {
            if allocated > count * Entry.size, let fd = try? FileDescriptor.open(path, O_RDWR) {
                try? fd.truncate(to: count * Entry.size)
                fd.close()
            }
        } else if (try? FileSystem.writeAtomically(path, Entry.encode(entries), durable: false)) != nil {
            count = entries.count
            isComplete = true
        }
        allocated = count * Entry.size
        region = nil
    }
}
