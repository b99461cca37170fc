import CFerryLinux

#if canImport(Glibc)
    import Glibc
#endif

/// Why a listening socket could not be made.
public enum ListenError: Error, Equatable, Sendable {
    case invalidHost(String)
    case invalidPort(Int)
    case addressInUse(host: String, port: Int)
    case system(SystemError)
}

/// Creating listening TCP sockets (IPv4, non-blocking, `SO_REUSEADDR` + `SO_REUSEPORT`), for the HTTP server and
/// the Kafka-protocol listener alike.
public enum ListeningSocket {
    /// Binds and listens on `host:port` (only binds when `backlog` is nil); returns the descriptor and the bound
    /// port (useful for port 0). With `shared` the socket joins an `SO_REUSEPORT` group (one listener per loop);
    /// without it the bind fails with `addressInUse` when any other socket listens there, whatever its options.
    public static func make(host: String, port: Int, backlog: Int32?, shared: Bool = true) throws(ListenError) -> (
        Int32, Int
    ) {
        guard (0...65535).contains(port) else { throw .invalidPort(port) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        let hostToParse = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, hostToParse, &address.sin_addr) == 1 else { throw .invalidHost(host) }
        let fd: Int32
        do {
            fd = try syscall("socket") {
                socket(AF_INET, Int32(SOCK_STREAM.rawValue) | CFERRY_SOCK_NONBLOCK | CFERRY_SOCK_CLOEXEC, 0)
            }
        } catch {
            throw .system(error)
        }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if shared { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) }
        do {
            _ = try syscall("bind") {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            if let backlog { _ = try syscall("listen") { listen(fd, backlog) } }
        } catch {
            Glibc.close(fd)
            if error.errno == EADDRINUSE { throw .addressInUse(host: host, port: port) }
            throw .system(error)
        }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: bound.sin_port)))
    }

    /// Fails with `addressInUse` when another process already listens on `host:port`. `SO_REUSEPORT` lets
    /// any process of the same user join a group and take a share of its connections, so a second
    /// `ferry serve` on a busy port would start silently and split the traffic; a plain bind (no
    /// `SO_REUSEPORT`) conflicts with every listener, so it is tried first and closed again. Port 0 needs no check.
    public static func requireFree(host: String, port: Int) throws(ListenError) {
        guard port != 0 else { return }
        let (probe, _) = try make(host: host, port: port, backlog: nil, shared: false)
        Glibc.close(probe)
    }

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit (each connection is one descriptor).
    public static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    /// The descriptor number an accepted connection must stay below: the soft `RLIMIT_NOFILE` less
    /// ``descriptorReserve(forLimit:)`` (`Int.max` when unlimited or unknown). A listener that gets a descriptor
    /// at or above it refuses the client and pauses accepting, as when the process is out of descriptors.
    public static func connectionDescriptorCeiling() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < UInt(Int.max) else {
            return Int.max
        }
        return Int(limit.rlim_cur) - descriptorReserve(forLimit: Int(limit.rlim_cur))
    }

    /// Descriptors a server keeps free for everything but connections, out of a limit of `limit`: an eighth of
    /// it, at least 16 and at most 256. Segment and log files, webhook and Kafka sockets need them, and so does
    /// libdispatch, whose once-a-second look at its worker threads opens `/proc/<tid>/stat` and aborts the
    /// process when that fails (swift-corelibs-libdispatch, `_dispatch_workq_count_runnable_workers`).
    public static func descriptorReserve(forLimit limit: Int) -> Int {
        min(256, max(16, limit / 8))
    }
}
