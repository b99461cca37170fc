#if canImport(Glibc)
    import Glibc
#endif

/// Waiting for SIGTERM / SIGINT synchronously (for `main`), without async signal handlers.
///
/// Call ``block()`` first thing in `main`, before any thread starts (threads inherit the mask), then
/// ``wait()`` on the main thread once everything runs.
public enum TerminationSignals {
    /// Blocks SIGTERM and SIGINT for the calling thread and the threads it starts later.
    public static func block() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits until SIGTERM or SIGINT arrives; returns the signal number.
    public static func wait() -> Int32 {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        var signal: Int32 = 0
        while sigwait(&set, &signal) != 0 {}
        return signal
    }
}
