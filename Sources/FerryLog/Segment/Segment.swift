import FerrySystem
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A closed (sealed, read-only) segment: `<base>.log` with its `.index` and `.timeindex`.
///
/// Its size never changes. The log file is mapped lazily on first read and the mapping is dropped again
/// when the shared ``SegmentCache`` evicts it (least recently used), so thousands of partitions cost no file
/// descriptors and only a bounded number of mappings. Thread-safe: a `Mutex` guards the lazily built view;
/// building it (open, mmap, read the indexes, possibly rebuild them) happens under that lock, so it may block
/// on disk I/O for concurrent readers of the same segment only.
final class Segment: Sendable {
    let baseOffset: Int64
    let paths: SegmentPaths
    let size: Int

    private struct State {
        var view: SegmentView?
        var maxTimestamp: Int64?
    }
    private let state: Mutex<State>

    /// A segment found on disk (`maxTimestamp` unknown until first needed) or just sealed (view and
    /// `maxTimestamp` known, so no re-read is needed).
    init(baseOffset: Int64, paths: SegmentPaths, size: Int, view: SegmentView? = nil, maxTimestamp: Int64? = nil) {
        self.baseOffset = baseOffset
        self.paths = paths
        self.size = size
        self.state = Mutex(State(view: view, maxTimestamp: maxTimestamp))
    }

    /// The readable view, mapping the segment if needed. Touches the cache (LRU) and may evict others.
    func view(cache: SegmentCache, indexInterval: Int) throws(LogError) -> SegmentView {
        let result: Result<(SegmentView, Bool), LogError> = state.withLock { state in
            if let view = state.view { return .success((view, false)) }
            do throws(LogError) {
                let view = try loadView(indexInterval: indexInterval)
                state.view = view
                return .success((view, true))
            } catch {
                return .failure(error)
            }
        }
        let (view, loaded) = try result.get()
        cache.touch(self, loaded: loaded)
        return view
    }

    /// Whether a view is currently held (for tests and the cache).
    var isMapped: Bool { state.withLock { $0.view != nil } }

    /// Drops the segment's own reference to its view (readers holding it keep it alive).
    func dropView() {
        let view = state.withLock { state -> SegmentView? in
            defer { state.view = nil }
            return state.view
        }
        _ = view  // released outside the lock: munmap may take a moment
    }

    /// Drops the mapped pages of the segment from the process's resident set (they stay in the page cache;
    /// the next read maps them again with a minor fault). Keeps the mapping itself.
    func releaseResidentPages() {
        guard let view = state.withLock({ $0.view }) else { return }
        view.region?.releaseResidentPages(0..<view.size)
    }

    /// The largest record timestamp in the segment (`Int64.min` when empty). Computed once from the time
    /// index plus a scan of the batches after the last index entry, then cached.
    func maxTimestamp(cache: SegmentCache, indexInterval: Int) throws(LogError) -> Int64 {
        if let known = state.withLock({ $0.maxTimestamp }) { return known }
        let view = try view(cache: cache, indexInterval: indexInterval)
        var maximum = view.index.times.last?.timestamp ?? Int64.min
        if let region = view.region {
            var position = view.index.offsets.last.map { Int($0.position) } ?? 0
            while let header = RecordBatchDecoder.header(
                at: position, in: region.base, limit: view.size,
                verifyChecksum: false)
            {
                maximum = max(maximum, header.maxTimestamp)
                position += header.length
            }
        }
        state.withLock { $0.maxTimestamp = maximum }
        return maximum
    }

    /// Maps the log and loads (or rebuilds) the indexes.
    private func loadView(indexInterval: Int) throws(LogError) -> SegmentView {
        guard size > 0 else { return SegmentView(region: nil, size: 0, index: SegmentIndex(), trustedFrom: 0) }
        let region: MappedRegion
        do {
            let fd = try FileDescriptor.open(paths.log, O_RDONLY)
            defer { fd.close() }
            region = try MappedRegion(descriptor: fd, length: size, writable: false)
        } catch {
            throw LogError(error)
        }
        let index: SegmentIndex
        var trustedFrom = Int.max
        do {
            let offsets = try FileSystem.readFile(paths.index)
            let times = try FileSystem.readFile(paths.timeIndex) ?? []
            if let offsets, let decoded = SegmentIndex.decode(offsets: offsets, times: times, segmentSize: size),
                indexEntryIsValid(decoded, region: region)
            {
                index = decoded
            } else {
                index = rebuildIndex(region: region, indexInterval: indexInterval)
                trustedFrom = 0  // every batch up to the first invalid one was just verified
                index.persist(to: paths)
            }
        } catch {
            throw LogError(error)
        }
        return SegmentView(region: region, size: size, index: index, trustedFrom: trustedFrom)
    }

    /// Whether the last offset-index entry points at a batch with the expected base offset.
    private func indexEntryIsValid(_ index: SegmentIndex, region: MappedRegion) -> Bool {
        guard let last = index.offsets.last else { return true }
        guard
            let header = RecordBatchDecoder.header(
                at: Int(last.position), in: region.base, limit: size,
                verifyChecksum: false)
        else { return false }
        return header.baseOffset == baseOffset + Int64(last.relativeOffset)
    }

    /// Rebuilds the indexes by scanning every batch (CRC-checked); stops at the first invalid batch.
    private func rebuildIndex(region: MappedRegion, indexInterval: Int) -> SegmentIndex {
        var index = SegmentIndex()
        _ = LogRecovery.scan(
            region.base, limit: size, from: 0, expectedOffset: baseOffset, segmentBaseOffset: baseOffset,
            index: &index, indexInterval: indexInterval)
        return index
    }
}
