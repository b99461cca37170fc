#if canImport(Glibc)
    import Glibc
#endif

/// A mutex with a condition variable (pthread), for threads that must sleep until some state changes
/// (the log's flusher threads, a caller waiting for its group commit).
///
/// `Synchronization.Mutex` has no condition variable, hence this class. The protected state is reached only
/// through ``withLock(_:)`` and ``wait(until:deadline:)``; it is therefore safe to share across threads.
/// Timed waits use `CLOCK_MONOTONIC` (see ``MonotonicClock``).
public final class ConditionLock<State>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var state: State

    public init(_ initial: State) {
        state = initial
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Runs `body` with the lock held.
    public func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// Runs `body` with the lock held, then wakes one waiter (`signal`) or all (`broadcast`).
    public func withLockThenSignal<Result>(broadcast: Bool = false, _ body: (inout State) throws -> Result) rethrows
        -> Result
    {
        pthread_mutex_lock(mutex)
        defer {
            if broadcast { pthread_cond_broadcast(condition) } else { pthread_cond_signal(condition) }
            pthread_mutex_unlock(mutex)
        }
        return try body(&state)
    }

    /// Wakes one waiter without taking the lock: for a caller that changed the state under ``withLock(_:)`` and
    /// learnt there that a waiter must re-evaluate it (a waiter checks the state under the lock before it sleeps,
    /// so the change cannot slip between its check and its sleep).
    public func signal() {
        pthread_cond_signal(condition)
    }

    /// Blocks until `body` returns a non-nil value, re-evaluating it (with the lock held) after every wake-up;
    /// `deadline` returns the monotonic nanosecond time to wake up at anyway (nil: wait without a timeout).
    /// Returns `body`'s value. Blocks the calling thread.
    public func wait<Result>(deadline: (State) -> UInt64?, until body: (inout State) -> Result?) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if let result = body(&state) { return result }
            if let due = deadline(state) {
                var time = timespec(tv_sec: Int(due / 1_000_000_000), tv_nsec: Int(due % 1_000_000_000))
                _ = pthread_cond_timedwait(condition, mutex, &time)
            } else {
                pthread_cond_wait(condition, mutex)
            }
        }
    }
}
