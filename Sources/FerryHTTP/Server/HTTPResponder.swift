import Dispatch
import Synchronization

/// The handle that answers one request. Cheap to copy; usable from any thread.
///
/// Calls made on the loop thread while the handler is still running write directly (the fast path). A held
/// request (its handler returned without answering) is answered from another thread straight to the socket,
/// on the caller's thread, when the loop has nothing else to write on that connection (``SocketBypass``); the
/// loop is told afterwards. Other calls post to the loop's queue and wake it. Only the first response (or
/// stream) counts; later calls are ignored and return false.
///
/// A responder made by the server answers on the request's connection; one from ``HTTPResponseSink`` answers
/// into that sink (a handler run in process, without a socket). The choice costs the socket path one branch
/// per call on a value already loaded, no allocation and no size (16 bytes either way).
public struct HTTPResponder: @unchecked Sendable {
    /// Where the answer goes.
    enum Target {
        // Connection is loop-confined: it is only dereferenced on its loop (fast path checks the thread first)
        // or via the loop's task queue. `closed` is atomic.
        case connection(Connection)
        case sink(HTTPResponseSink)

        /// The sink of a `.sink` target (read only after the `.connection` case was ruled out).
        var sink: HTTPResponseSink {
            guard case .sink(let sink) = self else { preconditionFailure("a connection target has no sink") }
            return sink
        }
    }

    let target: Target
    /// The request's number on its connection (0 for a sink).
    let sequence: UInt64

    init(connection: Connection, sequence: UInt64) {
        self.target = .connection(connection)
        self.sequence = sequence
    }

    init(sink: HTTPResponseSink) {
        self.target = .sink(sink)
        self.sequence = 0
    }

    init(target: Target, sequence: UInt64) {
        self.target = target
        self.sequence = sequence
    }

    /// True while the client connection is open (it may close at any moment after this returns).
    public var isConnectionOpen: Bool {
        switch target {
        case .connection(let connection): !connection.closed.load(ordering: .acquiring)
        case .sink(let sink): sink.isOpen
        }
    }

    /// Sends `response`. Returns false when the connection is already closed (the response is dropped) or,
    /// on the synchronous path and past the loop, when this request was already answered. Never blocks on the
    /// socket (a direct answer the socket does not take whole is finished by the loop).
    @discardableResult
    public func respond(_ response: HTTPResponse) -> Bool {
        guard case .connection(let connection) = target else { return target.sink.respond(response) }
        if connection.closed.load(ordering: .acquiring) { return false }
        let loop = connection.loop
        if loop.isOnLoopThread && connection.inHandler == sequence {
            return loop.complete(connection, sequence: sequence, response: response)
        }
        if let sent = connection.respondDirectly(response, sequence: sequence) { return sent }
        loop.enqueue(.respond(connection, sequence, response))
        return true
    }

    /// Records which route handles this request, for the access log and the observer (called by ``Router``
    /// while the handler runs on the loop thread; ignored anywhere else, since the connection is loop-confined).
    func noteRoute(_ route: Router.Route) {
        guard case .connection(let connection) = target else { return target.sink.noteRoute(route) }
        guard connection.inHandler == sequence, connection.loop.isOnLoopThread else { return }
        connection.routeIndex = route.index
        if connection.loop.context.accessLogEnabled { connection.logRoute = route.pattern.text }
    }

    /// Names the authenticated user of this request in the access log (`user=`, like nginx's `$remote_user`;
    /// a name, never a credential). Effective only while the handler or admission hook runs on the loop thread.
    public func noteRemoteUser(_ name: String) {
        guard case .connection(let connection) = target else { return target.sink.noteRemoteUser(name) }
        guard connection.inHandler == sequence, connection.loop.isOnLoopThread,
            connection.loop.context.accessLogEnabled
        else { return }
        connection.logUser = name
    }

    /// Registers `callback` to run (on the loop thread, must not block) if the connection closes before this
    /// request is answered. Runs at once when it already has. Not called after a normal response.
    public func onClose(_ callback: @escaping @Sendable () -> Void) {
        guard case .connection(let connection) = target else { return target.sink.onClose(callback) }
        let loop = connection.loop
        if loop.isOnLoopThread {
            if connection.activeSequence == sequence, !connection.closed.load(ordering: .relaxed) {
                connection.closeCallbacks.append(callback)
            } else if connection.closed.load(ordering: .relaxed) {
                callback()
            }
            return
        }
        if connection.closed.load(ordering: .acquiring) {
            callback()
            return
        }
        loop.enqueue(.onClose(connection, sequence, callback))
    }

    /// Starts a streamed response (`Transfer-Encoding: chunked`; for HTTP/1.0 clients the body is delimited by
    /// closing the connection). Write the body with the returned writer and call ``HTTPStreamWriter/finish()``.
    public func startStream(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders()) -> HTTPStreamWriter {
        guard case .connection(let connection) = target else {
            target.sink.startStream(status: status, headers: headers)
            return HTTPStreamWriter(target: target, sequence: sequence)
        }
        let loop = connection.loop
        if loop.isOnLoopThread && connection.inHandler == sequence {
            loop.startStream(connection, sequence: sequence, status: status, headers: headers)
        } else {
            loop.enqueue(.startStream(connection, sequence, status, headers))
        }
        return HTTPStreamWriter(target: target, sequence: sequence)
    }
}

/// Writes the body of a streamed response (e.g. Server-Sent Events). Usable from any thread; writes are
/// applied in call order per thread.
///
/// Buffering is bounded by ``HTTPServer/Configuration/maxStreamBufferBytes``: a client that stops reading is
/// disconnected instead of growing the buffer. `write` returns false once the connection is closed; use
/// ``onClose(_:)`` to stop producing.
public struct HTTPStreamWriter: @unchecked Sendable {
    let target: HTTPResponder.Target
    let sequence: UInt64

    /// True while the client connection is open.
    public var isConnectionOpen: Bool { HTTPResponder(target: target, sequence: sequence).isConnectionOpen }

    /// Sends `bytes` as the next part of the body. Returns false when the connection is closed.
    ///
    /// From a thread other than the connection's loop, while the loop holds nothing of this stream (its earlier
    /// bytes are all with the socket), the bytes go straight to the socket on the caller's thread (one
    /// non-blocking `send`); on the loop thread outside the stream's own handler, into the connection's output
    /// at once (sent with the turn's writes) unless a write of the stream from another thread is still queued to
    /// the loop; otherwise, and for whatever the socket does not take, they are queued to the loop.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard case .connection(let connection) = target else { return target.sink.write(bytes) }
        if connection.closed.load(ordering: .acquiring) { return false }
        if !bytes.isEmpty { connection.writeStream(bytes, sequence: sequence) }
        return true
    }

    /// Queues UTF-8 text.
    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// True off the stream's loop thread when every byte written so far went straight to the socket (the loop
    /// holds nothing of the stream): a producer may go on on this thread at once, where ``whenDrained(below:_:)``
    /// would hand its callback to a Dispatch thread. False on the loop thread and for other targets. Any thread.
    public var isWrittenThrough: Bool {
        guard case .connection(let connection) = target else { return false }
        return !connection.loop.isOnLoopThread && connection.isBypassDrained(sequence: sequence)
    }

    /// Back-pressure for producers: calls `callback` once when this stream's queued output (written by the loop,
    /// not yet taken by the socket) is at most `threshold` bytes — at the end of the loop's turn, after its
    /// writes, if it already is — or when the stream is over (closed or finished; check ``isConnectionOpen``).
    /// The callback runs on the connection's loop thread (on a Dispatch thread once the stream is over, for a
    /// response that goes to no connection, or when called off the loop with every byte of the stream already
    /// written past the loop), so it must not block: it is where a producer writes its next batch. A producer
    /// that writes a bounded batch and then waits here holds at most `threshold` + one batch per client, however
    /// slowly the client reads; a client that stops reading is disconnected after the idle timeout.
    public func whenDrained(below threshold: Int, _ callback: @escaping @Sendable () -> Void) {
        guard case .connection(let connection) = target else { return target.sink.whenDrained(callback) }
        if connection.closed.load(ordering: .acquiring) || isWrittenThrough {
            DispatchQueue.global().async(execute: callback)
            return
        }
        connection.loop.enqueue(.whenDrained(connection, sequence, threshold, callback))
    }

    /// Ends the body; the connection then serves its next request (or closes). Nothing written after it is sent.
    public func finish() {
        guard case .connection(let connection) = target else { return target.sink.finish() }
        if connection.closed.load(ordering: .acquiring) { return }
        connection.shutBypass(finishing: sequence)
        connection.loop.enqueue(.streamFinish(connection, sequence))
    }

    /// Registers `callback` to run (on the loop thread) when the connection closes before the stream finishes.
    public func onClose(_ callback: @escaping @Sendable () -> Void) {
        HTTPResponder(target: target, sequence: sequence).onClose(callback)
    }
}
