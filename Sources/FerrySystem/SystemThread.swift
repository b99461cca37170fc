import CFerryLinux

#if canImport(Glibc)
    import Glibc
#endif

/// A dedicated OS thread (pthread) running one closure, for work that blocks (fsync, `epoll_wait`,
/// `curl_multi_poll`) and must never run on a cooperative-pool thread: the one pthread wrapper of Ferry.
///
/// The thread is joinable: call ``join()`` or ``detach()`` exactly once (a detached thread releases itself when
/// it ends). Traps if the system cannot create a thread (resource exhaustion at start-up).
public final class SystemThread: Sendable {
    private let handle: pthread_t

    private final class Box {
        let body: @Sendable () -> Void
        let name: String
        init(_ body: @escaping @Sendable () -> Void, name: String) {
            self.body = body
            self.name = name
        }
    }

    /// Starts a thread named `name` (at most 15 bytes are kept by Linux) that runs `body`.
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(body, name: name)).toOpaque()
        var thread = pthread_t()
        let code = pthread_create(
            &thread, nil,
            { argument in
                // The retained box passed to pthread_create.
                let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
                _ = cferry_set_thread_name(String(decoding: box.name.utf8.prefix(15), as: UTF8.self))
                box.body()
                return nil
            }, box)
        precondition(code == 0, "pthread_create failed: \(code)")
        handle = thread
    }

    /// Waits for the thread to finish. Must be called exactly once, never from the thread itself.
    public func join() {
        pthread_join(handle, nil)
    }

    /// Lets the thread release itself when it ends (fire-and-forget). Instead of ``join()``, at most once.
    public func detach() {
        pthread_detach(handle)
    }

    /// Starts a thread that releases itself when `body` returns.
    public static func detached(name: String, _ body: @escaping @Sendable () -> Void) {
        SystemThread(name: name, body).detach()
    }
}
