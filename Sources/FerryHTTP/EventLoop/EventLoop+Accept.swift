import CFerryLinux
import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension EventLoop {
    /// Accepts pending connections (bounded per turn so one loop cannot starve its clients).
    func acceptConnections() {
        for _ in 0..<256 {
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let fd: Int32
            do {
                let result = try withUnsafeMutablePointer(to: &address) { pointer throws(SystemError) in
                    try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SystemError) in
                        try nonBlockingSyscall("accept4") {
                            cferry_accept4(listenFD, address, &length, CFERRY_SOCK_NONBLOCK | CFERRY_SOCK_CLOEXEC)
                        }
                    }
                }
                guard case .processed(let accepted) = result else { return }
                fd = accepted
            } catch {
                let code = error.errno
                if code == ECONNABORTED { continue }
                if error.isOutOfDescriptorsOrMemory {
                    pauseAccepting(errno: code)
                } else {
                    context.logger.warning("accept failed", metadata: ["errno": "\(code)"])
                }
                return
            }
            if Int(fd) >= context.descriptorCeiling.load(ordering: .relaxed) {
                // What is left is the reserve for everything but connections (and libdispatch aborts the
                // process when it cannot open a file): refuse this client and pause as if out of descriptors.
                rejectOverloaded(fd)
                pauseAccepting(errno: EMFILE)
                return
            }
            acceptSucceeded()
            connectionsAccepted.add(1, ordering: .relaxed)
            let open = context.openConnections.add(1, ordering: .relaxed).newValue
            if shuttingDown || (open > context.configuration.maxConnections && !reclaimIdleConnection()) {
                rejectOverloaded(fd)
                context.openConnections.subtract(1, ordering: .relaxed)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let remote = HTTPRemoteAddress(
                ipv4: UInt32(bigEndian: address.sin_addr.s_addr),
                port: UInt16(bigEndian: address.sin_port))
            // The header timeout runs from accept: a client that connects and sends nothing is a slowloris too.
            let connection = Connection(
                fd: fd, remote: remote, loop: self, limits: context.limits, timeouts: context.timeouts, now: now)
            do {
                try register(fd: fd, events: UInt32(CFERRY_EPOLLIN | CFERRY_EPOLLRDHUP))
            } catch {
                Glibc.close(fd)
                context.openConnections.subtract(1, ordering: .relaxed)
                continue
            }
            if Int(fd) >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - connections.count + 64))
            }
            connections[Int(fd)] = connection
            connectionCount += 1
        }
    }

    func nextRequestCounter() -> UInt64 {
        requestCounter &+= 1
        return requestCounter
    }
}
