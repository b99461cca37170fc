#if canImport(Glibc)
    import Glibc
#endif

/// A failed system call: the `errno` it set and the call's name.
///
/// Thrown by the `syscall` wrappers in this module. `EINTR` is never thrown (the wrappers retry it) and
/// `EAGAIN`/`EWOULDBLOCK` are never thrown by the wrappers that return ``IOResult``.
public struct SystemError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The `errno` value the call set.
    public let errno: Int32
    /// The name of the failed call, e.g. `"open"`.
    public let call: String

    public init(errno: Int32, call: String) {
        self.errno = errno
        self.call = call
    }

    public var description: String {
        let message = String(cString: strerror(errno))
        return "\(call) failed: \(message) (errno \(errno))"
    }

    /// True for "no space left on device" and "disk quota exceeded".
    public var isDiskFull: Bool { errno == ENOSPC || errno == EDQUOT }

    /// True when the process or the system is out of descriptors or memory (`accept` cannot take a connection
    /// now; a listener pauses instead of retrying at once).
    public var isOutOfDescriptorsOrMemory: Bool {
        errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM
    }
}
