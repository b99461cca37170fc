import Synchronization

/// The least-recently-used budget of mapped closed segments, shared by every partition of a ``LogManager``.
///
/// When more than `capacity` closed segments are mapped, the least recently read ones drop their mapping
/// (readers still holding records keep theirs until they let go). Active segments are not counted: each
/// partition always keeps its one active mapping. Thread-safe (`Mutex`); eviction calls into segments
/// outside the lock, so there is no lock-order dependency between the cache and segments.
public final class SegmentCache: Sendable {
    /// The most closed segments kept mapped at once.
    public let capacity: Int

    private struct Entry {
        let segment: Segment
        var stamp: UInt64
    }
    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var clock: UInt64 = 0
    }
    private let state = Mutex(State())

    public init(capacity: Int) {
        precondition(capacity >= 1, "SegmentCache capacity must be >= 1, got \(capacity)")
        self.capacity = capacity
    }

    /// The number of closed segments currently tracked as mapped.
    public var mappedCount: Int { state.withLock { $0.entries.count } }

    /// Records a use of `segment` (and that it is mapped); evicts the oldest entries when over capacity.
    func touch(_ segment: Segment, loaded: Bool) {
        let victims: [Segment] = state.withLock { state in
            state.clock &+= 1
            let key = ObjectIdentifier(segment)
            if state.entries[key] != nil {
                state.entries[key]?.stamp = state.clock
            } else {
                state.entries[key] = Entry(segment: segment, stamp: state.clock)
            }
            guard state.entries.count > capacity else { return [] }
            // Evict down to 90 % of the budget at once so the sort is amortised over many touches.
            let keep = max(1, capacity - capacity / 10)
            let sorted = state.entries.values.sorted { $0.stamp < $1.stamp }
            let evicted = sorted.prefix(state.entries.count - keep).filter { $0.segment !== segment }
            for entry in evicted { state.entries[ObjectIdentifier(entry.segment)] = nil }
            return evicted.map(\.segment)
        }
        for victim in victims { victim.dropView() }
    }

    /// Drops the resident pages of every mapped closed segment (see ``Segment/releaseResidentPages()``), outside
    /// the lock. Without it, pages that lagging readers touched stay counted in the process's RSS until the
    /// segment is evicted or deleted, so RSS follows retained data instead of what is being read now.
    public func releaseResidentPages() {
        let segments = state.withLock { $0.entries.values.map(\.segment) }
        for segment in segments { segment.releaseResidentPages() }
    }

    /// Forgets `segment` (deleted or its log closed) and drops its mapping.
    func remove(_ segment: Segment) {
        _ = state.withLock { $0.entries.removeValue(forKey: ObjectIdentifier(segment)) }
        segment.dropView()
    }
}
