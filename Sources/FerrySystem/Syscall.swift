#if canImport(Glibc)
    import Glibc
#endif

/// The result of a non-blocking I/O call: a value, or "would block" (`EAGAIN`/`EWOULDBLOCK`).
public enum IOResult<Value: Sendable>: Sendable {
    case processed(Value)
    case wouldBlock
}

/// Inlinable, so a call from another module costs what the bare call and an errno check cost.
///
/// Runs a system call that returns -1 and sets `errno` on failure, retrying `EINTR`.
///
/// Throws ``SystemError`` for every other error. `EBADF` and `EFAULT` trap: they mean our own descriptor or
/// pointer bookkeeping is wrong, never bad input.
@inlinable @inline(__always)
public func syscall<T: FixedWidthInteger>(_ name: String, _ body: () -> T) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        precondition(code != EBADF && code != EFAULT, "\(name): \(code == EBADF ? "EBADF" : "EFAULT")")
        throw SystemError(errno: code, call: name)
    }
}

/// Like ``syscall(_:_:)`` but returns ``IOResult/wouldBlock`` for `EAGAIN`/`EWOULDBLOCK` instead of throwing.
@inlinable @inline(__always)
public func nonBlockingSyscall<T: FixedWidthInteger & Sendable>(
    _ name: String, _ body: () -> T
) throws(SystemError) -> IOResult<T> {
    while true {
        let result = body()
        if result != -1 { return .processed(result) }
        let code = Glibc.errno
        if code == EINTR { continue }
        if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
        precondition(code != EBADF && code != EFAULT, "\(name): \(code == EBADF ? "EBADF" : "EFAULT")")
        throw SystemError(errno: code, call: name)
    }
}
