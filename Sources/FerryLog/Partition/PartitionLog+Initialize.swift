import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// Zeros written ahead of the writer of an `always` partition (see ``SegmentInitializer``).
extension PartitionLog: InitializeTarget {
    /// Bytes of zeros written per hold of the state lock (four `pwrite`s of a page: a few microseconds).
    static let initializePieceBytes = 16 * 1024
    /// Bytes of zeros written back per `sync_file_range`, outside the lock: small enough that the group-commit
    /// syncs queued behind it on the device wait about a millisecond, not the whole chunk.
    static let initializeWriteBackBytes = 256 * 1024

    /// Bytes of zeros written ahead of the writer so far.
    var initializedBytes: Int { state.withLock { $0.initializedBytes } }

    /// Called under the state lock once room for an append is made: with ``FlushPolicy/always`` and an
    /// initializer in the environment, asks for zeros ahead of the writer when less than half of the next growth
    /// is left (one request at a time per partition).
    func requestInitializationIfLow(_ state: inout PartitionState) {
        guard state.configuration.flushPolicy == .always, !state.initializing,
            let initializer = environment.initializer
        else { return }
        let allocated = state.active.allocated
        guard allocated < state.active.region.length else { return }
        let next = state.active.growthTarget(for: allocated + 1, chunk: state.configuration.preallocationBytes)
        guard allocated - state.active.written < (next - allocated) / 2 else { return }
        state.initializing = initializer.request(self)
    }

    /// Extends the active segment's allocation by its next growth with written zeros, a piece per hold of the
    /// state lock, writing them back outside it. Stops early when the segment rolls, the log closes or fails,
    /// the writer's own `posix_fallocate` got there first, or the disk is full (the writer then reports it).
    /// Runs on the initializer thread.
    func runInitialization() {
        defer { state.withLock { $0.initializing = false } }
        let target = state.withLock { state -> (baseOffset: Int64, path: String, end: Int)? in
            guard !state.isClosed, state.failure == nil else { return nil }
            let allocated = state.active.allocated
            let end = state.active.growthTarget(for: allocated + 1, chunk: state.configuration.preallocationBytes)
            return end > allocated ? (state.active.baseOffset, state.active.paths.log, end) : nil
        }
        guard let target, let descriptor = try? FileDescriptor.open(target.path, O_RDWR) else { return }
        defer { descriptor.close() }
        var notWrittenBack: Range<Int>? = nil
        while true {
            let piece = state.withLock { state -> Range<Int>? in
                guard !state.isClosed, state.failure == nil, state.active.baseOffset == target.baseOffset else {
                    return nil
                }
                let start = state.active.allocated
                guard start < target.end else { return nil }
                do {
                    try state.active.initializeNext(
                        min(Self.initializePieceBytes, target.end - start), with: descriptor)
                } catch {
                    return nil
                }
                state.initializedBytes += state.active.allocated - start
                return start..<state.active.allocated
            }
            guard let piece else { break }
            let pending = notWrittenBack.map { $0.lowerBound..<piece.upperBound } ?? piece
            if pending.count >= Self.initializeWriteBackBytes {
                try? descriptor.writeBack(offset: pending.lowerBound, length: pending.count)
                notWrittenBack = nil
            } else {
                notWrittenBack = pending
            }
        }
        if let rest = notWrittenBack { try? descriptor.writeBack(offset: rest.lowerBound, length: rest.count) }
    }
}
