import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension EventLoop {
    /// Closes connections whose read phase ran past its deadline (idle keep-alive, slowloris head, slow body,
    /// lingering close) or whose output made no progress for `idleTimeout` (a client that stopped reading).
    /// Runs every `sweepInterval`; O(connections of this loop).
    func sweep() {
        var idle = 0
        var oldestIdle = UInt64.max
        defer {
            idleHint.store(idle, ordering: .relaxed)
            oldestIdleDeadline.store(oldestIdle, ordering: .relaxed)
        }
        for case let connection? in connections {
            if let reason = connection.machine.tick(now: now, outputPending: !connection.output.isEmpty) {
                if reason == .writeStalled {
                    context.logger.info(
                        "closing a connection whose client stopped reading",
                        metadata: [
                            "peer": "\(connection.remote)", "buffered_bytes": "\(connection.output.pendingBytes)",
                            "stalled_ms": "\((now &- connection.machine.lastWriteProgress) / 1_000_000)",
                        ])
                } else if context.logger.logLevel <= .debug {
                    context.logger.debug(
                        "closing connection after timeout",
                        metadata: [
                            "peer": "\(connection.remote)", "state": "\(connection.state)", "reason": "\(reason)",
                        ])
                }
                close(connection)
            }
            if connection.isIdle {  // false once closed
                idle += 1
                oldestIdle = min(oldestIdle, connection.deadline)
            }
        }
    }

    /// Stops accepting, closes idle connections and makes busy ones close after their current response.
    func beginShutdown() {
        guard !shuttingDown else { return }
        shuttingDown = true
        if listenFD >= 0 {
            Glibc.close(listenFD)
            listenFD = -1
        }
        for case let connection? in connections {
            switch connection.machine.beginShutdown(outputPending: !connection.output.isEmpty) {
            case .close: close(connection)
            case .closeAfterWrite: markDirty(connection)
            case .none: break
            }
        }
    }
}
