import Dispatch

/// Runs blocking `work` (raw sockets, opening storage, a server's shutdown) on a Dispatch global queue and
/// awaits its result, so the cooperative pool (two threads on a 2-core machine) stays free for the rest of the
/// test. The caller's task waits without holding a thread; `work` owns the Dispatch thread until it returns.
public func onDispatchThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}
