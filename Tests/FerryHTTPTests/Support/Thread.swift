#if canImport(Glibc)
    import Glibc
#endif

/// Runs closures on detached POSIX threads (tests answer deferred requests from "another thread").
enum Thread {
    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    static func detach(_ body: @escaping @Sendable () -> Void) {
        var thread: pthread_t = 0
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        pthread_create(
            &thread, nil,
            { argument in
                Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue().body()
                return nil
            }, box)
        pthread_detach(thread)
    }
}
