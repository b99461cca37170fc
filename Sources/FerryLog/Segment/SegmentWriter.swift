import FerrySystem
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The active segment's file, open for writing batches with `pwrite`: how ``FlushPolicy/always`` partitions
/// append (others copy into the mapping).
///
/// Why not the mapping: each sync write-protects the pages it writes back (so the kernel sees the next store),
/// and a durable append almost always lands on a page the previous sync just wrote back. Through the mapping it
/// then pays a write fault, and the sync a page-table walk and TLB flush for that page. `pwrite` puts the bytes
/// into the same page-cache pages, so readers keep reading the mapping (coherent: one page, two views) and the
/// sync (`msync` of the range, which syncs the file's range whatever dirtied it) is unchanged. Measured on this
/// machine, one 150-byte append plus sync at a time: 96–135 µs through the mapping, 79–111 µs with `pwrite`.
///
/// Owns its descriptor, closed when the last holder lets go (the active segment; it drops its writer when it is
/// sealed or its log closes), and one unit of a ``DescriptorBudget`` for as long: with more busy `always`
/// partitions than the budget, the others copy into their mappings, and descriptors stay for connections.
/// Immutable; `write` may be called by one thread at a time (the partition's state lock), and blocks only as
/// long as a `pwrite` into the page cache.
final class SegmentWriter: Sendable {
    let descriptor: FileDescriptor
    private let budget: DescriptorBudget

    /// Opens `path` (an existing segment file) for writing, taking one unit of `budget`; nil when the budget is
    /// spent or the file cannot be opened (no descriptor left).
    init?(path: String, budget: DescriptorBudget) {
        guard budget.take() else { return nil }
        guard let descriptor = try? FileDescriptor.open(path, O_RDWR) else {
            budget.giveBack()
            return nil
        }
        self.descriptor = descriptor
        self.budget = budget
    }

    deinit {
        descriptor.close()
        budget.giveBack()
    }

    /// Lets `encode` lay out `size` bytes in a scratch buffer (on the stack when small), then writes them at
    /// `position`. Returns what `encode` returned. On failure the file holds a prefix of the bytes at most,
    /// past the segment's written end, where readers and recovery never look.
    func write<Result>(
        size: Int, at position: Int, _ encode: (UnsafeMutableRawPointer) -> Result
    ) throws(SystemError) -> Result {
        try withUnsafeTemporaryAllocation(byteCount: size, alignment: 8) { buffer throws(SystemError) -> Result in
            guard let base = buffer.baseAddress else { throw SystemError(errno: EINVAL, call: "pwrite") }
            let encoded = encode(base)
            try descriptor.write(UnsafeRawBufferPointer(buffer), at: position)
            return encoded
        }
    }
}

/// A count of descriptors that may still be opened for one purpose (``SegmentWriter``). Thread-safe.
final class DescriptorBudget: Sendable {
    private let left: Atomic<Int>

    init(_ capacity: Int) {
        left = Atomic(capacity)
    }

    /// Takes one unit; false (nothing taken) when none is left.
    func take() -> Bool {
        left.decrementIfPositive() != nil
    }

    /// Returns a unit taken with ``take()``.
    func giveBack() {
        left.add(1, ordering: .relaxed)
    }

    /// Units left (tests).
    var available: Int { left.load(ordering: .relaxed) }
}
