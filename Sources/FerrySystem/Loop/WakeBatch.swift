#if canImport(Glibc)
    import Glibc
#endif

/// Something that sleeps in `epoll_wait` and can be woken from another thread (a loop's mailbox).
public protocol LoopWakeable: AnyObject, Sendable {
    /// Wakes the sleeper (writes its `eventfd`). Any thread.
    func wake()
}

/// Coalesces the wakes that one thread's posts to other loops cause while it completes a group of answers.
///
/// A sync of a partition two loops write to releases the appends of both: the syncing thread hands each of the
/// other loop's answers to that loop's mailbox. Woken at the first, that loop drains it, answers, and is woken
/// again by the next post: one `eventfd` write and one wake-up per answer. Inside ``coalescing(_:)`` the wakes
/// are put off to the end of the group, so each loop is woken once and finds every answer of the group queued.
///
/// Thread-confined: a batch belongs to the thread running ``coalescing(_:)`` (its list lives on that thread's
/// stack, found through a thread-local pointer: no allocation unless another loop is posted to) and keeps the
/// loops it must wake alive until it wakes them.
public enum WakeBatch {
    /// Runs `body`; wakes its posts to other loops need happen once per loop, when `body` returns. Nested calls
    /// join the outer batch. `body` must not wait for a loop it posts to (that loop is not woken before the end).
    public static func coalescing<Result>(_ body: () -> Result) -> Result {
        if isActive { return body() }
        var pending: [any LoopWakeable] = []
        let result = withUnsafeMutablePointer(to: &pending) { pointer in
            _ = pthread_setspecific(key, pointer)
            defer { _ = pthread_setspecific(key, nil) }
            return body()
        }
        for target in pending { target.wake() }
        return result
    }

    /// True inside ``coalescing(_:)`` on the calling thread.
    public static var isActive: Bool { pthread_getspecific(key) != nil }

    /// Inside a batch, puts off waking `target` to its end (once, however often it is added) and returns true;
    /// outside one, returns false and the caller wakes it.
    public static func deferWake(_ target: any LoopWakeable) -> Bool {
        guard let raw = pthread_getspecific(key) else { return false }
        let pending = raw.assumingMemoryBound(to: [any LoopWakeable].self)
        for existing in pending.pointee where existing === target { return true }
        pending.pointee.append(target)
        return true
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let code = pthread_key_create(&key, nil)
        precondition(code == 0, "pthread_key_create failed: \(code)")
        return key
    }()
}
