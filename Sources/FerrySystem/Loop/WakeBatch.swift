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
/// Thread-confined: a batch belongs to the thread running ``coalescing(_:)`` (found through ``current``) and
/// keeps the loops it must wake alive until it wakes them.
public final class WakeBatch {
    private var pending: [any LoopWakeable] = []

    private init() {}

    /// Runs `body`; wakes its posts to other loops need happen once per loop, when `body` returns. Nested calls
    /// join the outer batch. `body` must not wait for a loop it posts to (that loop is not woken before the end).
    public static func coalescing<Result>(_ body: () -> Result) -> Result {
        if current != nil { return body() }
        let batch = WakeBatch()
        _ = pthread_setspecific(key, Unmanaged.passUnretained(batch).toOpaque())
        let result = body()
        _ = pthread_setspecific(key, nil)
        for target in batch.pending { target.wake() }
        return result
    }

    /// The calling thread's batch, or nil outside ``coalescing(_:)``.
    public static var current: WakeBatch? {
        guard let pointer = pthread_getspecific(key) else { return nil }
        return Unmanaged<WakeBatch>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Puts off waking `target` to the end of the batch (once, however often it is added).
    public func add(_ target: any LoopWakeable) {
        for existing in pending where existing === target { return }
        pending.append(target)
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let code = pthread_key_create(&key, nil)
        precondition(code == 0, "pthread_key_create failed: \(code)")
        return key
    }()
}
