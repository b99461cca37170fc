import FerrySystem
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The batch a read last stopped in: `(segment base, batch base offset, byte position)`. Segments are
/// append-only and never rewritten in place, so a batch's position stays valid as long as its segment exists
/// (a segment with the same base offset); a read from any offset at or after `batchBase` in that segment may
/// start scanning at `position` instead of the index's floor entry. One-message reads of a tailing consumer
/// (webhook batches of 1, queue receives) would otherwise rescan up to an index interval each time.
struct ReadHint: Sendable {
    var segmentBase: Int64 = -1
    var batchBase: Int64 = 0
    var position: Int = 0

    /// The position to start scanning a segment at for `offset`, given the index's floor position.
    func start(segmentBase: Int64, offset: Int64, indexFloor: Int) -> Int {
        segmentBase == self.segmentBase && batchBase <= offset && position > indexFloor ? position : indexFloor
    }
}

/// Where a read continues: the active segment's mapping, or a closed segment to map.
private enum ReadSource {
    case end
    case active(region: MappedRegion, limit: Int, start: Int, base: Int64, trustedFrom: Int)
    case closed(segment: Segment, endOffset: Int64)
}

extension PartitionLog {
    /// Reads records from `offset` on: at most `maxRecords`, and at most `maxBytes` of key + value bytes, except
    /// that the first record is always returned when one exists, however large. Records are views into the mapped
    /// segments (no copy) and stay valid after retention deletes their segment.
    ///
    /// `offset == nextOffset` returns no records. Throws ``LogError/offsetOutOfRange(requested:logStartOffset:nextOffset:)``
    /// below the log start or above the end, and ``LogError/corruptBatch(segmentBaseOffset:position:)`` when
    /// the first batch to return fails its checks (a corrupt record is never returned; records before it are).
    public func read(from offset: Int64, maxRecords: Int = 1000, maxBytes: Int = Int.max) throws(LogError) -> ReadBatch
    {
        var records: [ReadRecord] = []
        records.reserveCapacity(min(max(maxRecords, 0), 1024))
        var current = offset
        var bytes = 0
        var bounds: (start: Int64, end: Int64) = (0, 0)
        var first = true
        let indexInterval = configuration.indexIntervalBytes
        var hint = readHint.withLock { $0 }
        defer { readHint.withLock { $0 = hint } }
        /// What has been read so far, with the bounds seen when the read began.
        func batch() -> ReadBatch {
            ReadBatch(records: records, nextOffset: current, logStartOffset: bounds.start, logEndOffset: bounds.end)
        }
        while records.count < maxRecords && bytes < maxBytes {
            let source = try state.withLock { state throws(LogError) -> ReadSource in
                if state.isClosed { throw LogError.closed }
                if first {
                    bounds = (state.logStartOffset, state.active.nextOffset)
                    if offset < state.logStartOffset || offset > state.active.nextOffset {
                        throw LogError.offsetOutOfRange(
                            requested: offset, logStartOffset: state.logStartOffset,
                            nextOffset: state.active.nextOffset)
                    }
                }
                if current >= state.active.nextOffset { return .end }
                if current >= state.active.baseOffset {
                    let relative = UInt32(current - state.active.baseOffset)
                    return .active(
                        region: state.active.region, limit: state.active.written,
                        start: state.active.index.floorPosition(forRelativeOffset: relative),
                        base: state.active.baseOffset, trustedFrom: state.active.trustedFrom)
                }
                guard let index = state.closedSegmentIndex(containing: current), current >= state.logStartOffset else {
                    // Deleted by retention since the previous iteration.
                    if first {
                        throw LogError.offsetOutOfRange(
                            requested: offset, logStartOffset: state.logStartOffset,
                            nextOffset: state.active.nextOffset)
                    }
                    return .end
                }
                return .closed(segment: state.closed[index], endOffset: state.endOffset(ofClosed: index))
            }
            let wasFirst = first
            first = false
            switch source {
            case .end:
                return batch()
            case .active(let region, let limit, let start, let base, let trustedFrom):
                do {
                    if try scan(
                        region: region, limit: limit,
                        from: hint.start(segmentBase: base, offset: current, indexFloor: start),
                        segmentBase: base, endOffset: nil, trustedFrom: trustedFrom, hint: &hint,
                        current: &current, records: &records, bytes: &bytes, maxRecords: maxRecords,
                        maxBytes: maxBytes)
                    {
                        return batch()
                    }
                } catch {
                    if records.isEmpty { throw error }
                    return batch()
                }
            case .closed(let segment, let endOffset):
                let view: SegmentView
                do {
                    view = try segment.view(cache: environment.cache, indexInterval: indexInterval)
                } catch {
                    // The files vanished under us: retention deleted the segment.
                    if case .io(let system) = error, system.errno == ENOENT {
                        if wasFirst {
                            throw LogError.offsetOutOfRange(
                                requested: offset, logStartOffset: logStartOffset,
                                nextOffset: nextOffset)
                        }
                        return batch()
                    }
                    throw error
                }
                guard let region = view.region else {
                    throw LogError.corruptBatch(segmentBaseOffset: segment.baseOffset, position: 0)
                }
                let relative = UInt32(current - segment.baseOffset)
                let floor = view.index.floorPosition(forRelativeOffset: relative)
                do {
                    if try scan(
                        region: region, limit: view.size,
                        from: hint.start(segmentBase: segment.baseOffset, offset: current, indexFloor: floor),
                        segmentBase: segment.baseOffset, endOffset: endOffset, trustedFrom: view.trustedFrom,
                        hint: &hint, current: &current,
                        records: &records, bytes: &bytes, maxRecords: maxRecords, maxBytes: maxBytes)
                    {
                        return batch()
                    }
                } catch {
                    if records.isEmpty { throw error }
                    return batch()
                }
            }
        }
        return batch()
    }

    /// Appends the records of one segment from `current` on; advances `current` and sets `hint` to the last
    /// batch it decoded. Returns true when a limit was reached (the read is complete). Throws `.corruptBatch` for
    /// a batch that fails its CRC or structure, or when the segment ends before `endOffset`.
    private func scan(
        region: MappedRegion, limit: Int, from start: Int, segmentBase: Int64, endOffset: Int64?, trustedFrom: Int,
        hint: inout ReadHint,
        current: inout Int64, records: inout [ReadRecord], bytes: inout Int, maxRecords: Int, maxBytes: Int
    ) throws(LogError) -> Bool {
        let base = UnsafeRawPointer(region.base)
        var position = start
        while position < limit {
            guard let header = RecordBatchDecoder.header(at: position, in: base, limit: limit, verifyChecksum: false)
            else {
                throw LogError.corruptBatch(segmentBaseOffset: segmentBase, position: position)
            }
            if header.nextOffset <= current {
                position += header.length
                continue
            }
            guard header.baseOffset <= current,
                position >= trustedFrom
                    || RecordBatchDecoder.header(at: position, in: base, limit: limit, verifyChecksum: true) != nil
            else { throw LogError.corruptBatch(segmentBaseOffset: segmentBase, position: position) }
            var full = false
            var next = current
            hint = ReadHint(segmentBase: segmentBase, batchBase: header.baseOffset, position: position)
            try RecordBatchDecoder.forEachRecord(in: header, at: position, base: base, segmentBaseOffset: segmentBase) {
                pointer, offset, timestamp, keyLength, valueLength, headerCount, isRawValue, size throws(LogError)
                    -> Bool in
                if offset < next { return true }
                let payload = max(0, Int(keyLength)) + max(0, Int(valueLength))
                if !records.isEmpty && bytes + payload > maxBytes {
                    full = true
                    return false
                }
                records.append(
                    ReadRecord(
                        owner: region, pointer: pointer, offset: offset, timestamp: timestamp,
                        keyLength: keyLength, valueLength: valueLength, headerCount: headerCount,
                        isRawValue: isRawValue, size: size))
                next = offset + 1
                bytes += payload
                if records.count >= maxRecords || bytes >= maxBytes {
                    full = true
                    return false
                }
                return true
            }
            current = next
            if full { return true }
            position += header.length
        }
        if let endOffset, current < endOffset {
            throw LogError.corruptBatch(segmentBaseOffset: segmentBase, position: position)
        }
        return false
    }

    /// The first offset whose record has a timestamp >= `timestamp`, or ``nextOffset`` when there is none.
    /// Uses each segment's largest timestamp to pick the segment and its time index to skip most of it.
    public func offset(atOrAfterTimestamp timestamp: Int64) throws(LogError) -> Int64 {
        let (closed, activeRegion, activeLimit, activeIndex, activeBase, end) = try state.withLock {
            state throws(LogError) in
            if state.isClosed { throw LogError.closed }
            return (
                state.closed, state.active.region, state.active.written, state.active.index,
                state.active.baseOffset, state.active.nextOffset
            )
        }
        let indexInterval = configuration.indexIntervalBytes
        for segment in closed {
            let maximum = try segment.maxTimestamp(cache: environment.cache, indexInterval: indexInterval)
            guard maximum >= timestamp else { continue }
            let view = try segment.view(cache: environment.cache, indexInterval: indexInterval)
            if let region = view.region,
                let found = try Self.findTimestamp(
                    timestamp, region: region, limit: view.size, index: view.index,
                    segmentBase: segment.baseOffset)
            {
                return found
            }
        }
        if activeIndex.maxTimestamp >= timestamp,
            let found = try Self.findTimestamp(
                timestamp, region: activeRegion, limit: activeLimit, index: activeIndex,
                segmentBase: activeBase)
        {
            return found
        }
        return end
    }

    private static func findTimestamp(
        _ timestamp: Int64, region: MappedRegion, limit: Int, index: SegmentIndex, segmentBase: Int64
    ) throws(LogError) -> Int64? {
        let base = UnsafeRawPointer(region.base)
        var position = index.floorPosition(forRelativeOffset: index.scanStart(forTimestamp: timestamp))
        while let header = RecordBatchDecoder.header(at: position, in: base, limit: limit, verifyChecksum: false) {
            if header.maxTimestamp >= timestamp {
                guard RecordBatchDecoder.header(at: position, in: base, limit: limit, verifyChecksum: true) != nil
                else {
                    throw LogError.corruptBatch(segmentBaseOffset: segmentBase, position: position)
                }
                var found: Int64?
                try RecordBatchDecoder.forEachRecord(
                    in: header, at: position, base: base, segmentBaseOffset: segmentBase
                ) {
                    _, offset, recordTimestamp, _, _, _, _, _ throws(LogError) -> Bool in
                    if recordTimestamp >= timestamp {
                        found = offset
                        return false
                    }
                    return true
                }
                if let found { return found }
            }
            position += header.length
        }
        return nil
    }
}
