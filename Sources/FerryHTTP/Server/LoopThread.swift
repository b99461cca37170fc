#if canImport(Glibc)
    import Glibc
#endif

/// A joinable POSIX thread running one closure (event loops are plain threads, not tasks: they block in
/// `epoll_wait`).
final class LoopThread {
    private var thread: pthread_t = 0

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    init(name: String, _ body: @escaping () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let result = pthread_create(
            &thread, nil,
            { argument in
                let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()  // the retained box passed to pthread_create
                box.body()
                return nil
            }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
    }

    func join() {
        pthread_join(thread, nil)
    }

    /// Lets the thread clean up after itself when it ends (for fire-and-forget threads).
    func detach() {
        pthread_detach(thread)
    }
}
