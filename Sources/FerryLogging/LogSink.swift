import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Where formatted lines go. Each call carries exactly one complete line, newline included.
public protocol LogSink: Sendable {
    func write(_ line: [UInt8])
}

/// Standard error (or any descriptor): each line with one `write(2)` loop under a lock, so lines from
/// different threads never interleave. Blocks while the descriptor is full (a slow terminal or pipe).
public final class FileDescriptorSink: LogSink {
    let descriptor: Int32
    let lock = Mutex(())

    public init(descriptor: Int32 = 2) { self.descriptor = descriptor }

    public static let standardError = FileDescriptorSink(descriptor: 2)

    public func write(_ line: [UInt8]) {
        lock.withLock { _ in
            line.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    // `raw.count` > 0 inside the loop.
                    let n = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return }  // nowhere to report a failing log descriptor
                    offset += n
                }
            }
        }
    }
}
