import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

extension PartitionLog {
    /// Opens (creating if needed) the partition log in `directory` and recovers it.
    ///
    /// Recovery, in order: delete leftover `*.tmp` files; list segments by their 20-digit base offsets (an
    /// empty directory gets segment 0); closed segments are only `stat`ed (their indexes are validated, and
    /// rebuilt if missing or corrupt, when first read); the last segment's index files, kept current while it
    /// was active, are read as untrusted hints (entries must increase and lie inside the file; the last one
    /// kept must have a time entry and point at a CRC-valid batch with the offset it names; later ones are
    /// dropped) and the segment is validated from that entry to its end (every batch's structure, CRC32C and
    /// offset continuity), or from the start when no entry is usable; everything after the last valid batch
    /// (a torn or corrupt batch, garbage) is truncated unless it is all zeroes (preallocated space, kept for
    /// the next appends), and the index files are cut after their last usable entry (then they receive the
    /// entries the scan found); the file is synced so that
    /// ``flushedOffset`` starts at the recovered end (`synchronizeRecoveredData: false` leaves that sync to the
    /// caller, which must then sync the file system before relying on it, as ``LogManager`` does with one
    /// `syncfs` for all partitions). ``recoveryReport`` says how much was scanned. Blocks on disk I/O.
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
            let active = try ActiveSegment.create(
                directory: directory, baseOffset: 0,
                capacity: configuration.segmentBytes,
                indexInterval: configuration.indexIntervalBytes, now: now)
            let state = PartitionState(
                configuration: configuration, closed: [], active: active, logStartOffset: 0,
                flushedOffset: 0, closedBytes: 0)
            let report = RecoveryReport(
                segmentCount: 1, validBytes: 0, truncatedBytes: 0, rebuiltIndex: false,
                nextOffset: 0, scannedBytes: 0, droppedIndexEntries: 0)
            return PartitionLog(directory: directory, environment: environment, state: state, report: report)
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
            configuration: configuration, closed: closed, active: active,
            logStartOffset: closed.first?.baseOffset ?? lastBase,
            flushedOffset: active.nextOffset, closedBytes: closedBytes)
        return PartitionLog(directory: directory, environment: environment, state: state, report: fullReport)
    }

    /// Validates the tail of the last segment and adopts it as the active segment.
    private static func recoverLastSegment(
        directory: String, baseOffset: Int64, configuration: LogConfiguration, now: Int64, synchronize: Bool
    ) throws(LogError) -> (ActiveSegment, RecoveryReport) {
        let paths = SegmentPaths(directory: directory, baseOffset: baseOffset)
        var recovered = RecoveredIndex(resumeOffset: baseOffset)
        var index = SegmentIndex()
        var validEnd = 0
        var nextOffset = baseOffset
        var garbage = 0
        var allocated = 0
        let capacity = max(configuration.segmentBytes, 1)
        let active: ActiveSegment
        do {
            let fd = try FileDescriptor.open(paths.log, O_RDWR)
            defer { fd.close() }
            let fileSize = try fd.size()
            if fileSize > 0 {
                let region = try MappedRegion(descriptor: fd, length: fileSize, writable: false)
                let base = UnsafeRawPointer(region.base)
                recovered = try ActiveIndexRecovery.load(
                    paths: paths, log: base, size: fileSize,
                    segmentBaseOffset: baseOffset,
                    indexInterval: configuration.indexIntervalBytes)
                index = recovered.index
                (validEnd, nextOffset) = LogRecovery.scan(
                    base, limit: fileSize, from: recovered.resumePosition, expectedOffset: recovered.resumeOffset,
                    segmentBaseOffset: baseOffset, index: &index, indexInterval: configuration.indexIntervalBytes)
                garbage = LogRecovery.nonZeroExtent(base, from: validEnd, limit: fileSize)
                // Zeroes after the valid end are the writer's preallocated blocks: kept for the next appends
                // (cutting them cost an ftruncate of several ms per partition), after making sure they are
                // allocated (a sparse copy of the file would turn a full disk into SIGBUS). Anything else there
                // is cut, so that no stale batch can ever follow new ones.
                if validEnd == fileSize {
                    allocated = fileSize
                } else if garbage == 0 && fileSize <= capacity,
                    (try? fd.allocate(offset: validEnd, length: fileSize - validEnd)) != nil
                {
                    allocated = fileSize
                } else {
                    try fd.truncate(to: validEnd)
                    allocated = validEnd
                }
                if synchronize { try fd.dataSync() }
            }
            // The index files keep what recovery checked and get what the scan found (created if missing).
            active = try ActiveSegment.adopt(
                paths: paths, descriptor: fd, baseOffset: baseOffset, written: validEnd, nextOffset: nextOffset,
                index: index, keptOffsets: recovered.index.offsets.count, keptTimes: recovered.index.times.count,
                allocated: allocated, trustedFrom: recovered.verifiedFrom, capacity: max(capacity, validEnd),
                indexInterval: configuration.indexIntervalBytes, now: now)
        } catch let error as LogError {
            throw error
        } catch let error as SystemError {
            throw LogError(error)
        } catch {
            throw LogError.invalidConfiguration("\(error)")
        }
        // A rebuild: no entry of the files was usable and the whole segment was scanned, finding entries the
        // files lacked, or replacing entries they had wrong.
        let rebuilt = recovered.verifiedFrom == 0 && (!index.offsets.isEmpty || recovered.droppedEntries > 0)
        let report = RecoveryReport(
            segmentCount: 1, validBytes: validEnd, truncatedBytes: garbage,
            rebuiltIndex: rebuilt, nextOffset: nextOffset,
            scannedBytes: validEnd - recovered.verifiedFrom,
            droppedIndexEntries: recovered.droppedEntries)
        return (active, report)
    }
}
