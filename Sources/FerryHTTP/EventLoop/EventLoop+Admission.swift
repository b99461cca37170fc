import CFerryLinux
import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What a loop does when it cannot simply take a new connection: over `maxConnections` it gives up an idle
/// keep-alive connection (its own, or another loop's) before refusing with 503, as nginx does when its
/// connections run out; out of file descriptors it pauses accepting with a back-off instead of spinning on a
/// listener that stays readable.
extension EventLoop {
    /// Makes room for one connection over the limit by closing the server's longest-idle keep-alive
    /// connection: this loop's own, or one another loop reported at its last sweep (claimed from its hint; that
    /// loop closes its longest-idle one on its next turn, so the count may exceed the limit for that moment, or
    /// longer if the claimed connection became busy meanwhile). False when nobody has an idle connection: the
    /// new one must be refused.
    func reclaimIdleConnection() -> Bool {
        let local = longestIdleConnection()
        let others = context.loops.withLock { loops in loops.compactMap(\.loop).filter { $0 !== self } }
        // Others first when one has been idle longer (an idle connection's deadline is its last use + the idle
        // timeout, on the same monotonic clock everywhere: the smallest is the oldest).
        let byAge = others.sorted {
            $0.oldestIdleDeadline.load(ordering: .relaxed) < $1.oldestIdleDeadline.load(ordering: .relaxed)
        }
        for other in byAge {
            if let local, local.deadline <= other.oldestIdleDeadline.load(ordering: .relaxed) { break }
            if let hint = other.idleHint.decrementIfPositive() {
                if hint == 1 { other.oldestIdleDeadline.store(.max, ordering: .relaxed) }
                other.enqueue(.closeIdleConnection)
                return true
            }
        }
        guard let local else { return false }
        closeIdle(local)
        return true
    }

    /// This loop's idle keep-alive connection used longest ago, if any.
    func longestIdleConnection() -> Connection? {
        var oldest: Connection?
        for case let connection? in connections where connection.isIdle {
            if connection.deadline < (oldest?.deadline ?? .max) { oldest = connection }
        }
        return oldest
    }

    /// Closes this loop's longest-idle keep-alive connection. Idle clients expect a server to close such
    /// connections at any time (they retry on a new one). False when there is none.
    @discardableResult
    func closeLongestIdleConnection() -> Bool {
        guard let oldest = longestIdleConnection() else { return false }
        closeIdle(oldest)
        return true
    }

    private func closeIdle(_ oldest: Connection) {
        if context.logger.logLevel <= .debug {
            context.logger.debug(
                "closing an idle connection to admit a new one", metadata: ["peer": "\(oldest.remote)"])
        }
        close(oldest)
    }

    /// `accept` failed with EMFILE/ENFILE/ENOBUFS/ENOMEM, or gave a descriptor in the reserve (see
    /// `ServerContext.descriptorCeiling`): stop watching the listener (it stays readable, so a
    /// level-triggered loop would spin) and try again after a back-off of 50 ms doubling to 1 s. Pending clients
    /// wait in the listen backlog; connections already open are served meanwhile. One warning per episode
    /// (server-wide, at most one a minute: descriptors freed one at a time make episodes flap).
    func pauseAccepting(errno code: Int32) {
        guard acceptPause.pause(now: now) else { return }
        if context.acceptWarnings.admit(now: now) {
            context.logger.warning(
                "cannot accept connections: out of file descriptors or memory; pausing accept with back-off",
                metadata: [
                    "errno": "\(code)", "open_connections": "\(context.openConnections.load(ordering: .relaxed))",
                ])
            context.acceptWarningOpen.store(true, ordering: .relaxed)
        }
        var event = epoll_event()
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, &event)
    }

    /// The back-off ran out: watch the listener again and accept what waits (which may pause again).
    func resumeAccepting() {
        acceptPause.resume()
        guard listenFD >= 0, !shuttingDown else { return }
        try? register(fd: listenFD, events: UInt32(CFERRY_EPOLLIN))
        acceptConnections()
    }

    /// An accept succeeded: this loop's episode of exhaustion (if any) is over; the first loop to get here
    /// after a warning logs that accepting works again.
    func acceptSucceeded() {
        guard let episode = acceptPause.acceptSucceeded(now: now) else { return }
        if context.acceptWarningOpen.exchange(false, ordering: .relaxed) {
            context.logger.info(
                "accepting connections again",
                metadata: ["paused_ms": "\(episode.nanoseconds / 1_000_000)", "retries": "\(episode.retries)"])
        }
    }

    /// Over `maxConnections` with nothing to reclaim (or shutting down): a best-effort 503 problem, then close.
    func rejectOverloaded(_ fd: Int32) {
        let response = HTTPResponse.problem(
            .serviceUnavailable, slug: "unavailable",
            detail: shuttingDown ? "the server is shutting down" : "too many connections")
        var bytes: [UInt8] = []
        ResponseSerializer.appendHead(
            status: response.status, headers: response.headers, contentLength: response.body.count,
            requestID: .generated(prefix: requestIDPrefix, counter: nextRequestCounter()), keepAlive: false,
            http10: false, date: dateCache.bytes(now: now), chunked: false, to: &bytes)
        bytes.append(contentsOf: response.body)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        shutdown(fd, Int32(SHUT_WR))
        Glibc.close(fd)
    }
}
