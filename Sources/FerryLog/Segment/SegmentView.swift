import FerrySystem

/// A readable closed segment: its log mapping (nil when the segment is empty), its size and its indexes.
///
/// Immutable. Readers obtain it from ``Segment/view(cache:configuration:)`` and may keep it as long as they
/// like: the mapping is unmapped only when the last holder lets go (records hold the region too).
final class SegmentView: Sendable {
    let region: MappedRegion?
    let size: Int
    let index: SegmentIndex
    /// Batches at or after this position are known to be intact (written by this process or verified by a
    /// full scan); earlier batches are CRC-checked on every read. `Int.max`: nothing is trusted.
    let trustedFrom: Int

    init(region: MappedRegion?, size: Int, index: SegmentIndex, trustedFrom: Int) {
        self.region = region
        self.size = size
        self.index = index
        self.trustedFrom = trustedFrom
    }
}
