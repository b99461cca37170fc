#if canImport(Glibc)
    import Glibc
#endif

/// Starts detached POSIX threads for blocking work that must stay off Swift's cooperative pool.
enum DedicatedThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Runs `body` on a new detached thread. Traps if the system cannot create a thread (resource exhaustion).
    static func start(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let code = pthread_create(
            &thread, nil,
            { context in
                let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()  // the retained box passed to pthread_create
                body.run()
                return nil
            }, context)
        precondition(code == 0, "pthread_create failed: \(code)")
        pthread_detach(thread)
    }
}
