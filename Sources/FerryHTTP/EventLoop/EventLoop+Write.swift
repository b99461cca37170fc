import CFerryLinux
import Dispatch
import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension EventLoop {
    /// Completes request `sequence` with a fixed response. Ignored when that request is no longer waiting (already
    /// answered, or the connection closed). Returns whether the response was taken.
    @discardableResult
    func complete(_ connection: Connection, sequence: UInt64, response: HTTPResponse) -> Bool {
        guard connection.machine.isAwaiting(sequence) else { return false }
        if connection.answerBypassSequence == sequence, !connection.claimAnswer(sequence: sequence) { return false }
        writeResponse(connection, response)
        if connection.inHandler != sequence { processBufferedInput(connection) }
        return true
    }

    /// How a fixed response to the connection's current request is framed now.
    func framing(_ connection: Connection) -> ResponseFraming {
        ResponseFraming(
            keepAlive: connection.machine.keepAlive && !shuttingDown, http10: connection.isHTTP10,
            isHead: connection.isHead, requestID: connection.requestID)
    }

    /// Serializes a fixed response into the output and moves the connection to its next state.
    func writeResponse(_ connection: Connection, _ response: HTTPResponse) {
        let bodyBytes = ResponseSerializer.append(
            response, framing: framing(connection), date: dateCache.bytes(now: now), to: &connection.output)
        if context.tracksRequests { requestAnswered(connection, status: response.status, bytes: bodyBytes) }
        finishRequest(connection)
    }

    /// Held request `sequence` was answered past the loop (``SocketBypass``): queues what the socket did not
    /// take of it, accounts for it and moves the connection on to its next request.
    func answeredDirectly(_ connection: Connection, sequence: UInt64, rest: [[UInt8]]) {
        guard let answer = connection.takeDirectAnswer(sequence: sequence), connection.machine.isAwaiting(sequence)
        else { return }
        connection.output.append(chunks: rest)
        if context.tracksRequests {
            requestAnswered(connection, status: answer.status, bytes: answer.bodyBytes, at: answer.sentAt)
        }
        finishRequest(connection)
        processBufferedInput(connection)
    }

    /// The request is fully answered: release it and go back to reading, or close after the write.
    func finishRequest(_ connection: Connection) {
        if connection.isHeld {
            connection.isHeld = false
            context.heldRequests.subtract(1, ordering: .relaxed)
        }
        connection.closeCallbacks = []
        let next = connection.machine.responseCompleted(
            inputBuffered: !connection.input.isEmpty, shuttingDown: shuttingDown, now: now)
        if next == .closeAfterWrite { connection.input = [] }
        markDirty(connection)
    }

    /// Access log line and observer report for the request being answered.
    /// `at`: when the answer went out (nil: now).
    private func requestAnswered(_ connection: Connection, status: HTTPStatus, bytes: Int, at: UInt64? = nil) {
        let end = at ?? context.clock.nanoseconds()
        if context.accessLogEnabled { logAccess(connection, status: status, bytes: bytes, end: end) }
        if let observer = context.observer {
            observer.requestCompleted(
                HTTPRequestCompletion(
                    routeIndex: connection.routeIndex >= 0 ? connection.routeIndex : nil, method: connection.logMethod,
                    status: status, requestBodyBytes: connection.logBytesIn, responseBodyBytes: bytes,
                    durationNanoseconds: end &- connection.logStart))
        }
    }

    /// One access-log line per answered request: request id, method, route pattern, path, status, bytes in
    /// (request body) and out (response body), duration, peer, user (a name noted by the application, "-" when
    /// none). Never headers (they may carry credentials).
    private func logAccess(_ connection: Connection, status: HTTPStatus, bytes: Int, end: UInt64) {
        let micros = (end &- connection.logStart) / 1000
        let millis =
            "\(micros / 1000).\(String(repeating: "0", count: 3 - String(micros % 1000).count))\(micros % 1000)"
        context.logger.log(
            level: context.configuration.accessLogLevel, "request",
            metadata: [
                "request_id": "\(connection.requestID.string)", "method": "\(connection.logMethod.rawValue)",
                "route": "\(connection.logRoute)", "path": "\(connection.logPath)", "status": "\(status.code)",
                "bytes_in": "\(connection.logBytesIn)", "bytes_out": "\(bytes)", "duration_ms": "\(millis)",
                "peer": "\(connection.remote)", "user": "\(connection.logUser)",
            ])
    }

    // MARK: Streams

    func startStream(_ connection: Connection, sequence: UInt64, status: HTTPStatus, headers: HTTPHeaders) {
        guard connection.machine.isAwaiting(sequence) else { return }
        let chunked = !connection.isHTTP10
        connection.machine.streamStarted(sequence: sequence, closeDelimited: !chunked)
        let date = dateCache.bytes(now: now)
        connection.output.append { out in
            ResponseSerializer.appendHead(
                status: status, headers: headers, contentLength: nil, requestID: connection.requestID,
                keepAlive: connection.machine.keepAlive && !shuttingDown, http10: connection.isHTTP10, date: date,
                chunked: chunked, to: &out)
        }
        connection.streamStatus = status
        connection.streamedBytes = 0
        markDirty(connection)
    }

    func streamWrite(_ connection: Connection, sequence: UInt64, bytes: [UInt8]) {
        guard connection.machine.isStreaming(sequence), !bytes.isEmpty else { return }
        connection.streamedBytes += bytes.count
        if connection.isHead { return }
        ResponseSerializer.appendStreamPiece(bytes, chunked: !connection.isHTTP10, to: &connection.output)
        streamOutputGrew(connection)
    }

    /// Queues the rest of a direct write (``SocketBypass``): `framed` is already chunk-framed.
    func streamResume(_ connection: Connection, sequence: UInt64, framed: [[UInt8]], bodyBytes: Int) {
        guard connection.machine.isStreaming(sequence) else { return }
        connection.streamedBytes += bodyBytes
        connection.output.append(chunks: framed)
        streamOutputGrew(connection)
    }

    /// A stream's output grew: flush it at the end of the turn, or drop a client that does not read.
    private func streamOutputGrew(_ connection: Connection) {
        if connection.output.pendingBytes > context.configuration.maxStreamBufferBytes {
            // The client does not read fast enough: drop it rather than buffer without bound.
            context.logger.info(
                "closing a stream whose client does not read",
                metadata: ["peer": "\(connection.remote)", "buffered_bytes": "\(connection.output.pendingBytes)"])
            close(connection)
            return
        }
        markDirty(connection)
    }

    func streamFinish(_ connection: Connection, sequence: UInt64) {
        guard connection.machine.isStreaming(sequence) else { return }
        connection.shutBypass()
        checkDrain(connection, force: true)
        if !connection.isHTTP10 && !connection.isHead {
            connection.output.append { $0.append(contentsOf: "0\r\n\r\n".utf8) }
        }
        if context.tracksRequests {
            requestAnswered(connection, status: connection.streamStatus, bytes: connection.streamedBytes)
        }
        finishRequest(connection)
        processBufferedInput(connection)
    }

    // MARK: Writing and closing

    /// Calls `callback` once the stream's queued output is at most `threshold` bytes (on this loop's thread, at
    /// the end of the turn, after its writes), or the stream is over (closed, finished: on a Dispatch thread):
    /// the producer's back-pressure.
    func watchDrain(
        _ connection: Connection, sequence: UInt64, threshold: Int, _ callback: @escaping @Sendable () -> Void
    ) {
        guard connection.machine.isStreaming(sequence) else {
            DispatchQueue.global().async(execute: callback)
            return
        }
        connection.drainWatch = (threshold, callback)
        checkDrain(connection)  // already drained: runs at the end of this turn
    }

    /// Runs the drain watch whose threshold the output reached (or any, when `force`: the stream is over).
    func checkDrain(_ connection: Connection, force: Bool = false) {
        guard let watch = connection.drainWatch, force || connection.output.pendingBytes <= watch.threshold else {
            return
        }
        connection.drainWatch = nil
        if force {
            DispatchQueue.global().async(execute: watch.callback)
        } else {
            mailbox.endOfTurn.add(watch.callback)
        }
    }

    /// Writes queued output; arms `EPOLLOUT` when the socket is full, starts the lingering close when done.
    func flush(_ connection: Connection) {
        if case .closed = connection.state { return }
        if !connection.output.isEmpty {
            do {
                switch try connection.output.write(to: connection.fd) {
                case .processed(let n):
                    if n > 0 {
                        connection.machine.outputProgressed(now: now)
                        bytesSent.add(n, ordering: .relaxed)
                        if connection.drainWatch != nil { checkDrain(connection) }
                    }
                case .wouldBlock: break
                }
            } catch {
                close(connection)
                return
            }
        }
        if connection.output.isEmpty {
            let action = connection.machine.outputDrained(now: now)
            if case .close = action {
                close(connection)
                return
            }
            if connection.writeInterest {
                connection.writeInterest = false
                updateInterest(connection)
            }
            if action == .startLingering {
                startLingering(connection)
            } else if connection.isHeld, !connection.bypassOpen {
                openBypass(connection)  // a stream, or a request held behind answers that just left
            }
        } else if !connection.writeInterest {
            connection.writeInterest = true
            connection.machine.outputBlocked(now: now)
            updateInterest(connection)
        }
    }

    /// Opens the connection's ``SocketBypass`` (its output queue is empty) for a stream in progress or a held
    /// request, if it has one.
    func openBypass(_ connection: Connection) {
        switch connection.state {
        case .streaming(let sequence) where !connection.isHead:
            connection.openBypass(sequence: sequence, for: .stream(chunked: !connection.isHTTP10))
        case .awaitingResponse(let sequence) where connection.isHeld && !shuttingDown:
            connection.openBypass(sequence: sequence, for: .response(framing(connection)))
        default: break
        }
    }

    /// After the last response (the machine is now lingering): shut our side down and discard input until the
    /// client closes (bounded), so unread request bytes never turn into a reset that destroys the response.
    private func startLingering(_ connection: Connection) {
        shutdown(connection.fd, Int32(SHUT_WR))
        if !connection.readInterest {
            connection.readInterest = true
            updateInterest(connection)
        }
    }

    /// Closes the socket now, releases a held request and runs its close callbacks (on this thread).
    func close(_ connection: Connection) {
        if case .closed = connection.state { return }
        // Before the descriptor is closed: no direct write may reach its next owner.
        let directAnswer = connection.shutBypass()
        if case .streaming = connection.state, context.tracksRequests {
            // A stream cut off (client gone, slow reader, shutdown) still answered its request.
            requestAnswered(connection, status: connection.streamStatus, bytes: connection.streamedBytes)
        }
        if let directAnswer {
            // Answered past the loop before the close: a normal answer (no close callbacks), logged as such.
            if context.tracksRequests {
                requestAnswered(
                    connection, status: directAnswer.status, bytes: directAnswer.bodyBytes, at: directAnswer.sentAt)
            }
            connection.closeCallbacks = []
        }
        connection.machine.closed()
        connection.closed.store(true, ordering: .releasing)
        Glibc.close(connection.fd)
        if Int(connection.fd) < connections.count, connections[Int(connection.fd)] === connection {
            connections[Int(connection.fd)] = nil
        }
        connectionCount -= 1
        connection.output.removeAll()
        connection.input = []
        connection.body = []
        checkDrain(connection, force: true)
        let callbacks = connection.closeCallbacks
        connection.closeCallbacks = []
        for callback in callbacks { callback() }
        // Counters last, so an observer that sees them drop also sees the callbacks' effects.
        if connection.isHeld {
            connection.isHeld = false
            context.heldRequests.subtract(1, ordering: .relaxed)
        }
        context.openConnections.subtract(1, ordering: .relaxed)
    }
}
