import Synchronization

extension GroupCoordinator {
    /// Every topic group `group` subscribes to or holds committed offsets on, sorted; empty when the group
    /// does not exist. What access control checks group requests against. Takes the coordinator's lock briefly.
    public func topics(ofGroup group: String) -> [String] {
        state.withLock { state -> [String] in
            guard let g = state.groups[group] else { return [] }
            return Set(g.topics).union(g.committed.keys.map(\.topic)).sorted()
        }
    }
}
