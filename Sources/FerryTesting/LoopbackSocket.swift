import CFerryLinux

#if canImport(Glibc)
    import Glibc
#endif

/// Plain blocking TCP sockets on 127.0.0.1 for test clients and receivers: one home for the socket set-up they
/// share. Stateless; every function may be called from any thread. The caller owns (and closes) every
/// descriptor returned.
public enum LoopbackSocket {
    /// A socket connected to 127.0.0.1:`port`; nil with `errno` set when the connection failed.
    ///
    /// - Parameters:
    ///   - receiveTimeoutSeconds: `SO_RCVTIMEO`, so a read gives up instead of hanging (nil: wait forever).
    ///   - receiveBufferBytes: `SO_RCVBUF`, e.g. a small one for a client that stops reading.
    ///   - noDelay: `TCP_NODELAY` (a request goes out in one segment at once; benchmarks want it).
    public static func connect(
        port: Int, receiveTimeoutSeconds: Int? = nil, receiveBufferBytes: Int32? = nil, noDelay: Bool = false
    ) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        if let seconds = receiveTimeoutSeconds {
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        if var size = receiveBufferBytes {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if noDelay {
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            errno = code
            return nil
        }
        return fd
    }

    /// A socket bound to 127.0.0.1 on a free port (without `SO_REUSEPORT`, so it holds the port exclusively),
    /// listening when `listen` is true; nil when binding failed.
    public static func bound(listen shouldListen: Bool = true) -> (fd: Int32, port: Int)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound, !shouldListen || listen(fd, 128) == 0 else {
            close(fd)
            return nil
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, closed): nothing listens
    /// there, unless something takes it in between.
    public static func unusedPort() -> Int {
        guard let (fd, port) = bound(listen: false) else { preconditionFailure("cannot bind 127.0.0.1: \(errno)") }
        close(fd)
        return port
    }

    /// 127.0.0.1:`port` as a socket address.
    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
