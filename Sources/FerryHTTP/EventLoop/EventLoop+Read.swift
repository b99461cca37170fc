import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension EventLoop {
    /// Most bytes kept unparsed while a request is held (pipelined input); beyond it reading pauses.
    var maxBufferedInput: Int { context.limits.maxRequestLineBytes + context.limits.maxHeaderBytes + 4096 }

    /// Reads everything the socket has (until a short read or `EAGAIN`) and processes it.
    func readAvailable(_ connection: Connection) {
        while true {
            let n: Int
            do {
                let result = try nonBlockingSyscall("recv") {
                    recv(connection.fd, readBuffer.baseAddress, readBufferSize, 0)
                }
                switch result {
                case .processed(let count): n = count
                case .wouldBlock: return
                }
            } catch {
                close(connection)  // reset or other socket error: the peer is gone
                return
            }
            if n > 0 {
                bytesReceived.add(n, ordering: .relaxed)
                let chunk = UnsafeRawBufferPointer(rebasing: readBuffer[0..<n])
                receive(connection, chunk)
                if case .closed = connection.state { return }
                if n < readBufferSize || !connection.readInterest { return }
            } else if n == 0 {
                // EOF. With answered responses still being written, the client only half-closed: finish
                // writing, then close. Otherwise (idle, mid-request, or a request still held) it is gone.
                switch connection.machine.peerClosedInput(outputPending: !connection.output.isEmpty) {
                case .finishWriting:
                    connection.input = []
                    connection.readInterest = false
                    updateInterest(connection)
                case .close:
                    close(connection)
                }
                return
            }
        }
    }

    /// Feeds received bytes to the connection's parser, dispatching every complete request.
    private func receive(_ connection: Connection, _ bytes: UnsafeRawBufferPointer) {
        switch connection.machine.bytesReceived(now: now) {
        case .discard:
            return
        case .buffer:
            // A request is with the handler: its successors wait, so responses stay in order.
            connection.input.append(contentsOf: bytes)
        case .parse:
            parse(connection, bytes)
        }
        if connection.input.count > maxBufferedInput, connection.activeSequence != nil, connection.readInterest {
            connection.readInterest = false
            updateInterest(connection)
        }
    }

    private func parse(_ connection: Connection, _ bytes: UnsafeRawBufferPointer) {
        if connection.input.isEmpty {
            let consumed = process(connection, bytes)
            if consumed < bytes.count, !isClosedOrClosing(connection) {
                connection.input.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[consumed...]))
                startHeadTimer(connection)
            }
        } else {
            connection.input.append(contentsOf: bytes)
            processBufferedInput(connection)
        }
    }

    /// Processes bytes already buffered in `connection.input` (after a deferred response completes, too).
    func processBufferedInput(_ connection: Connection) {
        guard !connection.input.isEmpty else { return }
        let consumed = connection.input.withUnsafeBytes { process(connection, $0) }
        if isClosedOrClosing(connection) {
            connection.input = []
        } else if consumed == connection.input.count {
            connection.input.removeAll(keepingCapacity: connection.input.capacity <= 4096)
        } else if consumed > 0 {
            connection.input.removeFirst(consumed)
        }
        startHeadTimer(connection)
        if !connection.readInterest, connection.input.count <= maxBufferedInput, !isClosedOrClosing(connection) {
            connection.readInterest = true
            updateInterest(connection)
        }
    }

    /// A partial next request is buffered: the header timeout (not the idle one) now applies.
    private func startHeadTimer(_ connection: Connection) {
        if !connection.input.isEmpty { connection.machine.partialHeadBuffered(now: now) }
    }

    private func isClosedOrClosing(_ connection: Connection) -> Bool { connection.machine.isWindingDown }

    /// Parses and dispatches as many requests as `buffer` holds. Returns the bytes consumed; stops early while a
    /// request is held (its successors wait in `input`, so responses stay in order).
    private func process(_ connection: Connection, _ buffer: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while offset < buffer.count {
            switch connection.state {
            case .readingHead:
                let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
                let parsed: (HTTPRequestHead, Int)?
                do {
                    parsed = try connection.headParser.parse(rest)
                } catch {
                    fail(connection, error)
                    return buffer.count
                }
                guard let (head, used) = parsed else { return offset }
                connection.headParser.reset()
                offset += used
                if head.framing == .none {
                    dispatch(connection, head: head, body: [])
                    continue
                }
                // Fast path: the whole Content-Length body is already here.
                if case .length(let length) = head.framing, buffer.count - offset >= length {
                    let body = Array(UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)]))
                    offset += length
                    dispatch(connection, head: head, body: body)
                    continue
                }
                connection.pendingHead = head
                connection.bodyDecoder = HTTPBodyDecoder(framing: head.framing, limits: context.limits)
                connection.body = []
                if case .length(let length) = head.framing { connection.body.reserveCapacity(min(length, 1 << 20)) }
                connection.machine.bodyStarted(now: now)
                if head.expectContinue && offset == buffer.count {
                    connection.output.append { $0.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8) }
                    markDirty(connection)
                }
            case .readingBody:
                // `.readingBody` is entered only after `bodyDecoder` is set (above) and left when it is cleared.
                let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
                do {
                    offset += try connection.bodyDecoder!.decode(rest, into: &connection.body)
                } catch {
                    fail(connection, error)
                    return buffer.count
                }
                if connection.bodyDecoder!.isComplete, let head = connection.pendingHead {
                    let body = connection.body
                    connection.body = []
                    connection.bodyDecoder = nil
                    connection.pendingHead = nil
                    dispatch(connection, head: head, body: body)
                }
            case .awaitingResponse, .streaming:
                return offset
            case .closing, .lingering, .closed:
                return buffer.count
            }
        }
        return offset
    }

    /// Hands a complete request to the handler, synchronously on this thread.
    private func dispatch(_ connection: Connection, head: HTTPRequestHead, body: [UInt8]) {
        connection.sequence &+= 1
        let sequence = connection.sequence
        connection.machine.requestParsed(sequence: sequence, keepAlive: head.keepAlive && !shuttingDown)
        connection.isHead = head.method == .HEAD
        connection.isHTTP10 = head.version == .http1_0
        let requestID: RequestID
        if let id = head.headers["X-Request-Id"], RequestID.isAcceptable(id) {
            requestID = .echoed(id)
        } else {
            requestID = .generated(prefix: requestIDPrefix, counter: nextRequestCounter())
        }
        connection.requestID = requestID
        connection.routeIndex = -1
        if context.tracksRequests {
            connection.logMethod = head.method
            if context.accessLogEnabled {
                connection.logPath = head.parsedTarget.path
                connection.logRoute = "-"
                connection.logUser = "-"
            }
            connection.logBytesIn = body.count
            connection.logStart = context.clock.nanoseconds()
        }
        let request = HTTPRequest(head: head, body: body, remoteAddress: connection.remote, requestID: requestID)
        connection.inHandler = sequence
        context.handler(request, HTTPResponder(connection: connection, sequence: sequence))
        connection.inHandler = 0
        if connection.activeSequence == sequence, !connection.isHeld {
            // Not finished when the handler returned (deferred, or a stream still open): held.
            connection.isHeld = true
            context.heldRequests.add(1, ordering: .relaxed)
            if connection.output.isEmpty, !connection.bypassOpen { heldThisTurn.append(connection) }
        }
    }

    /// Answers a parse error with its problem response and closes after writing it.
    func fail(_ connection: Connection, _ error: HTTPParseError) {
        connection.machine.requestFailed()
        connection.isHead = false
        connection.requestID = .generated(prefix: requestIDPrefix, counter: nextRequestCounter())
        connection.logMethod = .other("-")
        connection.logPath = "(unparsable request)"
        connection.logRoute = "-"
        connection.logUser = "-"
        connection.logBytesIn = 0
        connection.routeIndex = -1
        connection.logStart = context.clock.nanoseconds()
        connection.bodyDecoder = nil
        connection.pendingHead = nil
        connection.body = []
        let response = HTTPResponse.problem(error.status, slug: error.slug, detail: error.description)
        writeResponse(connection, response)
        if context.logger.logLevel <= .debug {
            context.logger.debug("rejected request", metadata: ["peer": "\(connection.remote)", "error": "\(error)"])
        }
    }
}
