import Synchronization

/// A metric handle made on first use and then read on every request: the standard library's
/// `AtomicLazyReference` does the same, but its unspecialised `load()` looks the generic metadata up at run time
/// on every call (about 3 % of a single-message produce's user time, perf). This one is specialised in this
/// module: a load is one atomic read.
///
/// Owns one +1 reference to the stored instance, released with the box. Thread-safe.
final class LazyMetric<Instance: AnyObject & Sendable>: Sendable {
    private let stored = Atomic<UInt>(0)

    init() {}

    deinit {
        let bits = stored.load(ordering: .acquiring)
        if let pointer = UnsafeRawPointer(bitPattern: bits) { Unmanaged<Instance>.fromOpaque(pointer).release() }
    }

    /// The stored instance, or nil before the first ``storeIfNil(_:)``.
    @inline(__always)
    func load() -> Instance? {
        let bits = stored.load(ordering: .acquiring)
        guard let pointer = UnsafeRawPointer(bitPattern: bits) else { return nil }
        return Unmanaged<Instance>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Stores `instance` unless another thread stored one first; returns the one stored.
    func storeIfNil(_ instance: Instance) -> Instance {
        let retained = Unmanaged.passRetained(instance)
        let bits = UInt(bitPattern: retained.toOpaque())
        let (exchanged, original) = stored.compareExchange(expected: 0, desired: bits, ordering: .acquiringAndReleasing)
        if exchanged { return instance }
        retained.release()
        // `original` is non-zero: the exchange failed because another instance is stored.
        guard let pointer = UnsafeRawPointer(bitPattern: original) else { return instance }
        return Unmanaged<Instance>.fromOpaque(pointer).takeUnretainedValue()
    }
}
