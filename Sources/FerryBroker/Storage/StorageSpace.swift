import Logging
import Synchronization

/// Whether the disk under the data is full, as appends find out: an append refused for lack of space starts
/// an episode (one warning), the next append that succeeds ends it (one info line). Cheap on the append path
/// (one relaxed load while not full). Thread-safe; shared by an engine's partitions.
public final class StorageSpace: Sendable {
    let full = Atomic<Bool>(false)
    let episodes = Atomic<Int>(0)
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// True from a refused append until an append succeeds again.
    public var isFull: Bool { full.load(ordering: .relaxed) }

    /// Episodes of a full disk since start-up.
    public var fullEpisodes: Int { episodes.load(ordering: .relaxed) }

    /// An append was refused: no space left on the device.
    func noteFull() {
        guard !full.exchange(true, ordering: .relaxed) else { return }
        episodes.add(1, ordering: .relaxed)
        logger.warning(
            "disk full: produce answers 507 insufficient-storage until space is freed (retention, deleted topics)")
    }

    /// An append succeeded.
    @inline(__always)
    func noteAppended() {
        guard full.load(ordering: .relaxed), full.exchange(false, ordering: .relaxed) else { return }
        logger.info("disk has space again: appends succeed")
    }
}
