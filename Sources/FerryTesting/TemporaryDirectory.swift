import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh directory (`mkdtemp`) for one test, removed with everything in it by ``remove()`` or, at the latest,
/// when the last reference goes away. Whoever uses the path (a server, a child process) must be done before
/// then: keep the value alive until it is (`defer { directory.remove() }` does). Thread-safe.
public final class TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates `<parent>/<prefix>-XXXXXX`. Traps when `mkdtemp` fails (a test cannot run without it).
    public init(prefix: String = "ferry-test", parent: String = "/tmp") {
        var template = Array("\(parent)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp under \(parent) failed: errno \(errno)")
        path = String(cString: made!)
    }

    /// A directory in memory (`/dev/shm`, tmpfs) when available, else under /tmp: for tests about descriptor
    /// and mapping budgets with thousands of files, where ext4 journal work on a shared VM would dominate
    /// (creating and deleting 10 000 partition directories took over a minute there, a few seconds on tmpfs).
    public static func inMemoryIfAvailable(prefix: String = "ferry-test") -> TemporaryDirectory {
        FileSystem.isDirectory("/dev/shm") && access("/dev/shm", W_OK) == 0
            ? TemporaryDirectory(prefix: prefix, parent: "/dev/shm") : TemporaryDirectory(prefix: prefix)
    }

    /// Removes the directory and everything below it (`FileSystem.removeTree`; blocks on disk I/O). Idempotent.
    public func remove() { try? FileSystem.removeTree(path) }

    deinit { remove() }
}
