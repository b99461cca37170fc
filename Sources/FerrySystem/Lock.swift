#if canImport(Glibc)
    import Glibc
#endif

/// A mutual-exclusion lock around a value, on a plain (non-spinning) pthread mutex.
///
/// Same shape as `Synchronization.Mutex` (`withLock` with typed throws), used where many more threads than
/// cores contend for one lock: `Mutex` spins before it sleeps, and with 64 group-commit appenders on two cores
/// the spinning took a quarter of the CPU (measured with `perf`); waiters here sleep at once in the kernel.
/// Not recursive. The value is reached only inside `withLock`, so the class is safe to share.
public final class Lock<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the lock held and returns its result. `body` must not take this lock again.
    @inline(__always)
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure)
        -> Result
    {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Runs `body` with the lock held when it is free now, without waiting; nil when another thread holds it.
    @inline(__always)
    public func withLockIfAvailable<Result, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result? {
        guard pthread_mutex_trylock(mutex) == 0 else { return nil }
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
