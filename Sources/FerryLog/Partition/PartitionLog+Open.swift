#if canImport(Glibc)
import Glibc
#endif
import FerrySystem

extension PartitionLog {
    /// Opens (creating if needed) the partition log in `directory` and recovers it.
    ///
    /// Recovery, in order: delete leftover `*.tmp` files; list segments by their 20-digit base offsets (an
    /// empty directory gets segment 0); closed segments are only `stat`ed (their indexes are validated, and
    /// rebuilt if missing or corrupt, when first read); the last segment is validated from its last valid
    /// index entry to its end (every batch's structure, CRC32C and offset continuity), or from the start when
    /// its index is missing, corrupt or points at no matching batch; everything after the last valid batch
    /// (a torn or corrupt batch, garbage, zeroed preallocated space) is truncated; the file is synced so that
    /// ``flushedOffset`` starts at the recovered end (`synchronizeRecoveredData: false` leaves that sync to the
    /// caller, which must then sync the file system before relying on it, as ``LogManager`` does with one
    /// `syncfs` for all partitions). Blocks on disk I/O.
    public static func open(
        directory: String, configuration: LogConfiguration, environment: LogEnvironment,
        synchronizeRecoveredData: Bool = true
    ) throws(LogError) -> PartitionLog {
        try configuration.validate()
        do {
            if !FileSystem.isDirectory(directory) { try FileSystem.createDirectories(directory) }
        } catch {
            throw LogError(error)
        }
        var baseOffsets: [Int64] = []
        do {
            for name in try FileSystem.contentsOfDirectory(directory) {
                if name.hasSuffix(".tmp") {
                    try? FileSystem.removeFile(directory + "/" + name)
                } else if let base = SegmentFileName.baseOffset(ofLogFile: name) {
                    baseOffsets.append(base)
                }
            }
        } catch {
            throw LogError(error)
        }
        baseOffsets.sort()
        let now = environment.clock()
        guard let lastBase = baseOffsets.last else {
            let active = try ActiveSegment.create(directory: directory, baseOffset: 0,
                                                  capacity: configuration.segmentBytes, now: now)
            let state = PartitionState(configuration: configuration, closed: [], active: active, logStartOffset: 0,
                                       flushedOffset: 0, closedBytes: 0)
            return PartitionLog(directory: directory, environment: environment, state: state, report: RecoveryReport(segmentCount: 1, validBytes: 0, truncatedBytes: 0,
                                                                     rebuiltIndex: false, nextOffset: 0))
        }
        var closed: [Segment] = []
        var closedBytes: Int64 = 0
        for base in baseOffsets.dropLast() {
            let paths = SegmentPaths(directory: directory, baseOffset: base)
            let size: Int
            do {
                size = try FileSystem.fileSize(paths.log) ?? 0
            } catch {
                throw LogError(error)
            }
            closed.append(Segment(baseOffset: base, paths: paths, size: size))
            closedBytes += Int64(size)
        }
        let (active, report) = try recoverLastSegment(
            directory: directory, baseOffset: lastBase, configuration: configuration, now: now,
            synchronize: synchronizeRecoveredData)
        var fullReport = report
        fullReport.segmentCount = closed.count + 1
        let state = PartitionState(
            configuration: configuration, closed: closed, active: active, logStartOffset: closed.first?.baseOffset ?? lastBase,
            flushedOffset: active.nextOffset, closedBytes: closedBytes)
        return PartitionLog(directory: directory, environment: environment, state: state, report: fullReport)
    }

    /// Validates the tail of the last segment and adopts it as the active segment.
    private static func recoverLastSegment(
        directory: String, baseOffset: Int64, configuration: LogConfiguration, now: Int64, synchronize: Bool
    ) throws(LogError) -> (ActiveSegment, RecoveryReport) {
        let paths = SegmentPaths(directory: directory, baseOffset: baseOffset)
        var index = SegmentIndex()
        var validEnd = 0
        var nextOffset = baseOffset
        var garbage = 0
        var rebuilt = false
        var trustedFrom = 0
        var indexFilesExist = false
        let active: ActiveSegment
        do {
            let fd = try FileDescriptor.open(paths.log, O_RDWR)
            defer { fd.close() }
            let fileSize = try fd.size()
            if fileSize > 0 {
                let region = try MappedRegion(descriptor: fd, length: fileSize, writable: false)
                let base = UnsafeRawPointer(region.base)
                var start = 0
                var startOffset = baseOffset
                let offsets = try FileSystem.readFile(paths.index)
                let times = offsets == nil ? nil : try FileSystem.readFile(paths.timeIndex)
                indexFilesExist = offsets != nil || times != nil
                if let offsets, let times, !offsets.isEmpty,
                   var loaded = SegmentIndex.decode(offsets: offsets, times: times, segmentSize: fileSize),
                   let last = loaded.offsets.last,
                   let header = RecordBatchDecoder.header(at: Int(last.position), in: base, limit: fileSize,
                                                          verifyChecksum: true),
                   header.baseOffset == baseOffset + Int64(last.relativeOffset) {
                    loaded.truncate(toEntryAt: last.relativeOffset)
                    index = loaded
                    start = Int(last.position)
                    startOffset = header.baseOffset
                    trustedFrom = start
                } else {
                    // No usable entry: scan the whole segment. It counts as a rebuild when index files were
                    // there but unusable, or absent although the scan finds entries (small segments
                    // legitimately have none and then no files).
                    rebuilt = indexFilesExist
                    if indexFilesExist {
                        // Stale index files must not survive the truncation below.
                        try FileSystem.removeFile(paths.index)
                        try FileSystem.removeFile(paths.timeIndex)
                        indexFilesExist = false
                    }
                }
                (validEnd, nextOffset) = LogRecovery.scan(
                    base, limit: fileSize, from: start, expectedOffset: startOffset, segmentBaseOffset: baseOffset,
                    index: &index, indexInterval: configuration.indexIntervalBytes)
                if start == 0 && !index.offsets.isEmpty { rebuilt = true }
                garbage = LogRecovery.nonZeroExtent(base, from: validEnd, limit: fileSize)
                if validEnd < fileSize {
                    try fd.truncate(to: validEnd)
                }
                if synchronize { try fd.dataSync() }
            }
            active = try ActiveSegment.adopt(
                paths: paths, descriptor: fd, baseOffset: baseOffset, written: validEnd, nextOffset: nextOffset,
                index: index, trustedFrom: trustedFrom, indexFilesMayExist: indexFilesExist,
                capacity: max(configuration.segmentBytes, validEnd), now: now)
        } catch let error as LogError {
            throw error
        } catch let error as SystemError {
            throw LogError(error)
        } catch {
            throw LogError.invalidConfiguration("\(error)")
        }
        let report = RecoveryReport(segmentCount: 1, validBytes: validEnd, truncatedBytes: garbage,
                                    rebuiltIndex: rebuilt, nextOffset: nextOffset)
        return (active, report)
    }
}
