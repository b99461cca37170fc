import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// The writer's view of the active (last) segment: a writable mapping plus what has been written into it.
///
/// The mapping's length (`region.length`, the capacity) is reserved address space only: disk blocks are
/// preallocated with `posix_fallocate` in growing chunks just ahead of the writer (``ensureAllocated(for:chunk:)``),
/// or, for `always` partitions, written with zeros ahead of it by the ``SegmentInitializer``
/// (``initializeNext(_:with:)``), so a full disk surfaces as ``LogError/diskFull`` before a byte is copied, never
/// as `SIGBUS`, and an idle partition costs no more disk than its data plus one small chunk. No file descriptor is kept open: the
/// mapping keeps the file alive, syncs go through `msync`, and growth reopens the file briefly.
///
/// Its `.index` and `.timeindex` files exist from creation on and receive each index entry as it is added
/// (``indexFiles``), so a restart after a crash reads them instead of scanning the whole segment.
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
    /// Sparse indexes of the batches written so far (what readers use).
    private(set) var index: SegmentIndex
    /// The on-disk mirror of `index`.
    private(set) var indexFiles: ActiveIndexFiles
    /// Wall-clock time the segment was created or opened (for `segmentMilliseconds`).
    let createdAtMilliseconds: Int64
    /// Bytes known to be on stable storage.
    var syncedPosition: Int
    /// Bytes below this were synced and dropped from the process's resident set (see
    /// ``PartitionLog/residentTailBytes``).
    var releasedPosition = 0
    /// Batches at or after this position were written by this process or CRC-verified by recovery, so
    /// readers need not verify them again; earlier ones are verified on every read.
    var trustedFrom = 0
    /// The file open for `pwrite`, once a batch was written through it (see ``writeBatch(size:throughFile:_:)``).
    private var writer: SegmentWriter?
    /// Whether the segment holds its file open for `pwrite` (tests).
    var writesThroughFile: Bool { writer != nil }

    /// Creates an empty segment file at `baseOffset` with its two empty index files, and maps `capacity` bytes
    /// of address space for it. The first chunk (16 KiB, or less for a smaller capacity) is allocated right
    /// away, with the same descriptor. On failure no file is left behind.
    static func create(
        directory: String, baseOffset: Int64, capacity: Int, indexInterval: Int, now: Int64
    ) throws(LogError) -> ActiveSegment {
        let paths = SegmentPaths(directory: directory, baseOffset: baseOffset)
        do throws(SystemError) {
            let fd = try FileDescriptor.open(paths.log, O_RDWR | O_CREAT | O_TRUNC)
            defer { fd.close() }
            let initial = min(capacity, 16 * 1024)
            let indexFiles: ActiveIndexFiles
            do throws(SystemError) {
                try fd.allocate(offset: 0, length: initial)
                indexFiles = try ActiveIndexFiles.create(
                    paths: paths, capacity: ActiveIndexFiles.capacity(logCapacity: capacity, interval: indexInterval))
            } catch {
                try? FileSystem.removeFile(paths.log)
                try? FileSystem.removeFile(paths.index)
                try? FileSystem.removeFile(paths.timeIndex)
                throw error
            }
            let region = try MappedRegion(descriptor: fd, length: capacity, writable: true)
            region.populateForWriting(0..<initial)
            return ActiveSegment(
                baseOffset: baseOffset, paths: paths, region: region, allocated: initial, written: 0,
                nextOffset: baseOffset, index: SegmentIndex(), indexFiles: indexFiles,
                createdAtMilliseconds: now, syncedPosition: 0)
        } catch {
            throw LogError(error)
        }
    }

    /// Adopts a recovered segment file that holds `written` valid bytes followed by zeroed, allocated space up
    /// to `allocated` (its size: at least `written`, at most the capacity). `descriptor` is the segment file
    /// opened read-write; the caller closes it. The index files keep their first `keptOffsets`/`keptTimes`
    /// entries (checked by recovery, equal to `index`'s first entries) and receive the rest of `index`; they
    /// are created if missing.
    static func adopt(
        paths: SegmentPaths, descriptor: FileDescriptor, baseOffset: Int64, written: Int, nextOffset: Int64,
        index: SegmentIndex, keptOffsets: Int, keptTimes: Int, allocated: Int, trustedFrom: Int,
        capacity: Int, indexInterval: Int, now: Int64
    ) throws(LogError) -> ActiveSegment {
        precondition(allocated >= written && allocated <= max(capacity, written), "adopt: allocated \(allocated)")
        do {
            let length = max(capacity, written, 1)
            let region = try MappedRegion(descriptor: descriptor, length: length, writable: true)
            let indexFiles = try ActiveIndexFiles.adopt(
                paths: paths, capacity: ActiveIndexFiles.capacity(logCapacity: length, interval: indexInterval),
                index: index, keptOffsets: keptOffsets, keptTimes: keptTimes)
            return ActiveSegment(
                baseOffset: baseOffset, paths: paths, region: region, allocated: allocated,
                written: written, nextOffset: nextOffset, index: index, indexFiles: indexFiles,
                createdAtMilliseconds: now, syncedPosition: written, trustedFrom: trustedFrom)
        } catch {
            throw LogError(error)
        }
    }

    /// Accounts for the batch just written at `position` (see ``SegmentIndex/record(batchAt:relativeOffset:length:maxTimestamp:interval:)``)
    /// and stores any new index entry in the index files.
    @inline(__always)
    mutating func recordBatch(at position: Int, relativeOffset: UInt32, length: Int, maxTimestamp: Int64, interval: Int)
    {
        index.record(
            batchAt: position, relativeOffset: relativeOffset, length: length, maxTimestamp: maxTimestamp,
            interval: interval)
        indexFiles.catchUp(with: index)
    }

    /// Lays out a batch of `size` bytes at `written` with `encode` and stores it: given a `throughFile` budget,
    /// in a scratch buffer written with `pwrite` (``SegmentWriter``, for ``FlushPolicy/always``), else right in
    /// the mapping. Falls back to the mapping when the budget is spent or the file cannot be opened. Space must
    /// be allocated (``ensureAllocated(for:chunk:)``). Does not advance `written`; throws only for a failed
    /// `pwrite`.
    @inline(__always)
    mutating func writeBatch<Result>(
        size: Int, throughFile budget: DescriptorBudget?, _ encode: (UnsafeMutableRawPointer) -> Result
    ) throws(LogError) -> Result {
        if let budget {
            if writer == nil { writer = SegmentWriter(path: paths.log, budget: budget) }
            if let writer {
                do {
                    return try writer.write(size: size, at: written, encode)
                } catch {
                    throw LogError(error)
                }
            }
        }
        return encode(region.base + written)
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
        let target = growthTarget(for: needed, chunk: chunk)
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

    /// Where the allocation ends after its next growth, when `needed` bytes must fit: it doubles, by at most
    /// `chunk` bytes at a time, never beyond the capacity.
    func growthTarget(for needed: Int, chunk: Int) -> Int {
        let growth = min(chunk, max(allocated, 16 * 1024))
        return min(region.length, max(needed, allocated + growth))
    }

    /// Writes zeros over the next `bytes` (at most up to the capacity) past the allocation, through `descriptor`
    /// (this segment's file), and adds them to the allocation (see ``SegmentInitializer``). The writer never
    /// touches bytes past `allocated`, so nothing it wrote can be overwritten. On failure (a full disk) the
    /// file is cut back to the allocation and the error thrown.
    mutating func initializeNext(_ bytes: Int, with descriptor: FileDescriptor) throws(SystemError) {
        let count = min(bytes, region.length - allocated)
        guard count > 0 else { return }
        do {
            try descriptor.writeZeros(offset: allocated, length: count)
        } catch {
            try? descriptor.truncate(to: allocated)
            throw error
        }
        allocated += count
    }

    /// Makes the index files final (exactly the index's entries; not synced: they are validated and rebuilt
    /// when needed) and shrinks the log file to the written size. The segment stays readable through `region`.
    mutating func finishIndexAndTrim() {
        writer = nil
        indexFiles.finish(index)
        guard allocated > written else { return }
        if let fd = try? FileDescriptor.open(paths.log, O_RDWR) {
            try? fd.truncate(to: written)
            fd.close()
        }
    }

    /// Seals the segment: makes its index files final, trims it, and returns it as a closed ``Segment`` that
    /// keeps this mapping as its view (no re-read needed).
    mutating func seal() -> Segment {
        finishIndexAndTrim()
        let view = SegmentView(
            region: written > 0 ? region : nil, size: written, index: index, trustedFrom: trustedFrom)
        return Segment(
            baseOffset: baseOffset, paths: paths, size: written, view: view,
            maxTimestamp: index.maxTimestamp)
    }
}
