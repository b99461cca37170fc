import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 server over epoll: `loopCount` loop threads, each with its own `SO_REUSEPORT` listener.
///
/// Lifecycle: `init` → ``start()`` (binds and returns once listening) → ``shutdown(gracePeriod:)``. Thread-safe:
/// every method may be called from any thread. Handlers run on loop threads (see ``HTTPHandler``). Call
/// ``shutdown(gracePeriod:)`` before dropping a started server: its loop threads keep it alive until then.
public final class HTTPServer: Sendable {
    public let configuration: Configuration
    private let context: ServerContext

    private struct State {
        var loops: [EventLoop] = []
        var threads: [SystemThread] = []
        var boundPort = 0
        var started = false
        var stopped = false
        var shutdownHooks: [@Sendable () -> Void] = []
    }
    // The loop threads are only touched under the lock.
    private let state: Mutex<UncheckedBox<State>>

    /// Creates a server that sends every request to `handler`; `observer` (if any) hears of every answered
    /// request, on the loop thread.
    public init(
        configuration: Configuration, handler: @escaping HTTPHandler, logger: Logger,
        observer: (any HTTPServerObserver)? = nil
    ) {
        self.configuration = configuration
        self.context = ServerContext(configuration: configuration, handler: handler, logger: logger, observer: observer)
        self.state = Mutex(UncheckedBox(State()))
    }

    /// Creates a server that dispatches through `router` (404/405 problems for unmatched requests).
    public convenience init(
        configuration: Configuration, router: Router, logger: Logger, observer: (any HTTPServerObserver)? = nil
    ) {
        self.init(configuration: configuration, handler: router.handler, logger: logger, observer: observer)
    }

    /// The port the server listens on (the real one when configured with port 0); 0 before ``start()``.
    public var boundPort: Int { state.withLock { $0.value.boundPort } }

    /// True once ``shutdown(gracePeriod:)`` has begun (e.g. for a readiness endpoint to answer 503).
    public var isShuttingDown: Bool { context.shuttingDown.load(ordering: .relaxed) }

    /// Connections currently open (accepted and not yet closed).
    public var openConnectionCount: Int { context.openConnections.load(ordering: .relaxed) }

    /// Requests whose handler returned before the response was complete (deferred responses and open streams),
    /// not yet finished or abandoned (connection closed).
    public var heldRequestCount: Int { context.heldRequests.load(ordering: .relaxed) }

    /// Bytes and connections since ``start()``, summed over the loops (relaxed reads: a scrape, not a barrier).
    /// Zero before ``start()`` and after ``shutdown(gracePeriod:)``.
    public var trafficTotals: HTTPTrafficTotals {
        state.withLock { box in
            var totals = HTTPTrafficTotals()
            for loop in box.value.loops {
                totals.bytesReceived += loop.bytesReceived.load(ordering: .relaxed)
                totals.bytesSent += loop.bytesSent.load(ordering: .relaxed)
                totals.connectionsAccepted += loop.connectionsAccepted.load(ordering: .relaxed)
            }
            return totals
        }
    }

    /// Registers a hook that ``shutdown(gracePeriod:)`` runs (on its calling thread) after the server stopped
    /// accepting; use it to answer held requests (long-polls) so they finish within the grace period.
    public func onShutdown(_ hook: @escaping @Sendable () -> Void) {
        state.withLock { $0.value.shutdownHooks.append(hook) }
    }

    /// Binds the listeners, starts the loop threads and returns once the server accepts connections.
    /// Also ignores `SIGPIPE` and raises `RLIMIT_NOFILE` to its hard limit, of which connections may use all but
    /// a reserve (``ListeningSocket/descriptorReserve(forLimit:)``).
    public func start() throws(HTTPServerError) {
        try state.withLock { (box: inout UncheckedBox<State>) throws(HTTPServerError) in
            guard !box.value.started else { throw .alreadyStarted }
            signal(SIGPIPE, SIG_IGN)
            ListeningSocket.raiseDescriptorLimit()
            context.descriptorCeiling.store(ListeningSocket.connectionDescriptorCeiling(), ordering: .relaxed)
            var listeners: [Int32] = []
            var port = configuration.port
            do {
                try ListeningSocket.requireFree(host: configuration.host, port: port)
                for _ in 0..<max(1, configuration.loopCount) {
                    let (fd, bound) = try ListeningSocket.make(
                        host: configuration.host, port: port,
                        backlog: configuration.backlog)
                    listeners.append(fd)
                    port = bound
                }
            } catch let error as ListenError {
                for fd in listeners { Glibc.close(fd) }
                throw HTTPServerError(error)
            } catch {
                fatalError("unreachable: \(error)")
            }
            var loops: [EventLoop] = []
            for (index, fd) in listeners.enumerated() {
                do throws(SystemError) {
                    loops.append(try EventLoop(index: index, context: context, listenFD: fd))
                } catch {
                    for fd in listeners[index...] { Glibc.close(fd) }
                    for loop in loops { Glibc.close(loop.listenFD) }
                    throw .system(error)
                }
            }
            box.value.loops = loops
            context.loops.withLock { $0 = loops.map { WeakLoop(loop: $0) } }
            box.value.threads = loops.map { loop in SystemThread(name: "ferry-http-\(loop.index)") { loop.run() } }
            box.value.boundPort = port
            box.value.started = true
            context.logger.info(
                "HTTP server listening",
                metadata: [
                    "host": "\(configuration.host)", "port": "\(port)", "loops": "\(loops.count)",
                ])
        }
    }

    /// Stops the server: stops accepting, closes idle connections, lets in-flight requests finish (running the
    /// ``onShutdown(_:)`` hooks so held requests get answered), then after at most `gracePeriod` closes whatever
    /// is left and joins the loop threads. Blocks the caller; idempotent.
    public func shutdown(gracePeriod: Duration = .seconds(10)) {
        let onLoopThread = state.withLock { box in box.value.loops.contains { $0.isOnLoopThread } }
        if onLoopThread {
            // Called from a handler: waiting here would deadlock the loop, so shut down from another thread.
            SystemThread.detached(name: "ferry-shutdown") { self.shutdown(gracePeriod: gracePeriod) }
            return
        }
        let (loops, threads, hooks) = state.withLock { box -> ([EventLoop], [SystemThread], [@Sendable () -> Void]) in
            guard box.value.started, !box.value.stopped else { return ([], [], []) }
            box.value.stopped = true
            return (box.value.loops, box.value.threads, box.value.shutdownHooks)
        }
        guard !loops.isEmpty else { return }
        context.shuttingDown.store(true, ordering: .relaxed)
        for loop in loops { loop.enqueue(.beginShutdown) }
        for hook in hooks { hook() }
        let deadline = MonotonicClock.nanoseconds() + gracePeriod.nanoseconds
        while context.openConnections.load(ordering: .relaxed) > 0 && MonotonicClock.nanoseconds() < deadline {
            usleep(2000)
        }
        for loop in loops { loop.enqueue(.stop) }
        for thread in threads { thread.join() }
        state.withLock { box in
            box.value.loops = []
            box.value.threads = []
        }
        context.logger.info("HTTP server stopped")
    }

    /// ``shutdown(gracePeriod:)`` without blocking a cooperative thread (it runs on a thread of its own).
    public func shutdown(gracePeriod: Duration = .seconds(10)) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            SystemThread.detached(name: "ferry-shutdown") {
                self.shutdown(gracePeriod: gracePeriod)
                continuation.resume()
            }
        }
    }
}

/// Holds a non-Sendable value inside a lock. Only access it under that lock.
struct UncheckedBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
