#if canImport(Glibc)
import Glibc
#endif
import FerrySystem

/// The writer's view of the active (last) segment: a writable mapping plus what has been written into it.
///
/// The mapping's length (`region.length`, the capacity) is reserved address space only: disk blocks are
/// preallocated with `posix_fallocate` in growing chunks just ahead of the writer (``ensureAllocated(for:chunk:)``),
/// so a full disk surfaces as ``LogError/diskFull`` before a byte is copied, never as `SIGBUS`, and an idle
/// partition costs no more disk than its data plus one small chunk. No file descriptor is kept open: the
/// mapping keeps the file alive, syncs go through `msync`, and growth reopens the file briefly.
///
/// Not thread-safe: ``PartitionLog`` keeps it inside its state lock.
struct ActiveSegment {
    let baseOffset: Int64
    let paths: SegmentPaths
    /// The writable mapping; `region.length` is the capacity.
    private(set) var region: MappedRegion
    /// Bytes of disk allocated (the file's size while active).
    private(set) var allocated: Int
    /// Bytes of complete batches (the end of the log in this segment).
    var written: Int
    /// The offset the next record gets.
    var nextOffset: Int64
    /// Sparse indexes of the batches written so far.
    var index: SegmentIndex
    /// Wall-clock time the segment was created or opened (for `segmentMilliseconds`).
    let createdAtMilliseconds: Int64
    /// Bytes known to be on stable storage.
    var syncedPosition: Int
    /// Batches at or after this position were written by this process or CRC-verified by recovery, so
    /// readers need not verify them again; earlier ones are verified on every read.
    var trustedFrom = 0
    /// Whether `.index`/`.timeindex` files may exist for this segment (saves removing absent files).
    var indexFilesMayExist = false

    /// Creates an empty segment file at `baseOffset` and maps `capacity` bytes of address space for it.
    /// The first chunk (16 KiB, or less for a smaller capacity) is allocated right away, with the same descriptor.
    static func create(directory: String, baseOffset: Int64, capacity: Int, now: Int64) throws(LogError) -> ActiveSegment {
        let paths = SegmentPaths(directory: directory, baseOffset: baseOffset)
        do throws(SystemError) {
            let fd = try FileDescriptor.open(paths.log, O_RDWR | O_CREAT | O_TRUNC)
            defer { fd.close() }
            let initial = min(capacity, 16 * 1024)
            do throws(SystemError) {
                try fd.allocate(offset: 0, length: initial)
            } catch {
                try? FileSystem.removeFile(paths.log)
                throw error
            }
            let region = try MappedRegion(descriptor: fd, length: capacity, writable: true)
            region.populateForWriting(0..<initial)
            return ActiveSegment(baseOffset: baseOffset, paths: paths, region: region, allocated: initial, written: 0,
                                 nextOffset: baseOffset, index: SegmentIndex(), createdAtMilliseconds: now,
                                 syncedPosition: 0)
        } catch {
            throw LogError(error)
        }
    }

    /// Adopts a recovered segment file that holds `written` valid bytes (the file is truncated to exactly that).
    /// `descriptor` is the segment file opened read-write; the caller closes it.
    static func adopt(paths: SegmentPaths, descriptor: FileDescriptor, baseOffset: Int64, written: Int, nextOffset: Int64,
                      index: SegmentIndex, trustedFrom: Int, indexFilesMayExist: Bool, capacity: Int,
                      now: Int64) throws(LogError) -> ActiveSegment {
        do {
            let region = try MappedRegion(descriptor: descriptor, length: max(capacity, written, 1), writable: true)
            return ActiveSegment(baseOffset: baseOffset, paths: paths, region: region, allocated: written,
                                 written: written, nextOffset: nextOffset, index: index, createdAtMilliseconds: now,
                                 syncedPosition: written, trustedFrom: trustedFrom,
                                 indexFilesMayExist: indexFilesMayExist)
        } catch {
            throw LogError(error)
        }
    }

    /// Replaces the mapping of an empty segment with a larger one (a single batch bigger than a segment).
    mutating func remap(capacity: Int) throws(LogError) {
        precondition(written == 0, "remap: only an empty segment may be remapped")
        do {
            let fd = try FileDescriptor.open(paths.log, O_RDWR)
            defer { fd.close() }
            region = try MappedRegion(descriptor: fd, length: capacity, writable: true)
        } catch {
            throw LogError(error)
        }
    }

    /// Makes sure disk blocks exist for `written + size` bytes, growing the allocation by at least a chunk
    /// (doubling, at most `chunk` bytes at a time, never beyond the capacity). Throws ``LogError/diskFull``
    /// with nothing written when the disk is full.
    @inline(__always)
    mutating func ensureAllocated(for size: Int, chunk: Int) throws(LogError) {
        let needed = written + size
        if needed <= allocated { return }
        precondition(needed <= region.length, "ensureAllocated: \(needed) exceeds capacity \(region.length)")
        let growth = min(chunk, max(allocated, 16 * 1024))
        let target = min(region.length, max(needed, allocated + growth))
        do {
            let fd = try FileDescriptor.open(paths.log, O_RDWR)
            defer { fd.close() }
            try fd.allocate(offset: allocated, length: target - allocated)
        } catch {
            throw LogError(error)
        }
        region.populateForWriting(allocated..<target)
        allocated = target
    }

    /// Writes the index files (not synced: they are validated and rebuilt when needed) and shrinks the file
    /// to the written size. The segment stays readable through `region`.
    func persistIndexAndTrim() {
        index.persist(to: paths)
        guard allocated > written else { return }
        if let fd = try? FileDescriptor.open(paths.log, O_RDWR) {
            try? fd.truncate(to: written)
            fd.close()
        }
    }

    /// Seals the segment: persists its indexes, trims it, and returns it as a closed ``Segment`` that keeps
    /// this mapping as its view (no re-read needed).
    func seal() -> Segment {
        persistIndexAndTrim()
        let view = SegmentView(region: written > 0 ? region : nil, size: written, index: index, trustedFrom: trustedFrom)
        return Segment(baseOffset: baseOffset, paths: paths, size: written, view: view,
                       maxTimestamp: index.maxTimestamp)
    }
}
