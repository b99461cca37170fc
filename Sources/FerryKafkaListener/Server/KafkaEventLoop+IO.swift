import CFerryLinux
import FerryKafkaWire
import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension KafkaEventLoop {
    /// Accepts pending connections (bounded per turn).
    func acceptConnections() {
        for _ in 0..<256 {
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let result: IOResult<Int32>
            do {
                result = try withUnsafeMutablePointer(to: &address) { pointer throws(SystemError) in
                    try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SystemError) in
                        try nonBlockingSyscall("accept4") {
                            cferry_accept4(listenFD, address, &length, CFERRY_SOCK_NONBLOCK | CFERRY_SOCK_CLOEXEC)
                        }
                    }
                }
            } catch {
                if error.isOutOfDescriptorsOrMemory { pauseAccepting(errno: error.errno) }
                return
            }
            guard case .processed(let fd) = result else { return }
            if Int(fd) >= descriptorCeiling {
                Glibc.close(fd)  // the rest is the reserve for files, sockets and libdispatch
                pauseAccepting(errno: EMFILE)
                return
            }
            _ = acceptPause.acceptSucceeded(now: now)
            counters.acceptedConnections.add(1, ordering: .relaxed)
            let open = counters.openConnections.add(1, ordering: .relaxed).newValue
            guard open <= configuration.maxConnections else {
                Glibc.close(fd)
                counters.openConnections.subtract(1, ordering: .relaxed)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let ip = UInt32(bigEndian: address.sin_addr.s_addr)
            let remote =
                "\(ip >> 24).\((ip >> 16) & 0xFF).\((ip >> 8) & 0xFF).\(ip & 0xFF):\(UInt16(bigEndian: address.sin_port))"
            let connection = KafkaConnection(fd: fd, remote: remote, loop: self, now: now)
            do {
                try register(fd: fd, events: UInt32(CFERRY_EPOLLIN | CFERRY_EPOLLRDHUP))
            } catch {
                Glibc.close(fd)
                counters.openConnections.subtract(1, ordering: .relaxed)
                continue
            }
            if Int(fd) >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - connections.count + 64))
            }
            connections[Int(fd)] = connection
        }
    }

    /// Out of descriptors (or into the reserve): stops watching the listener, which would stay readable and make
    /// the loop spin, for 100 ms; pending clients wait in the backlog. Warns at most once a minute per loop.
    private func pauseAccepting(errno code: Int32) {
        guard acceptPause.pause(now: now) else { return }
        var event = epoll_event()
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, &event)
        if acceptWarnings.admit(now: now) {
            logger.warning(
                "Kafka listener cannot accept connections: out of file descriptors or memory; pausing accept",
                metadata: ["errno": "\(code)", "loop": "\(index)"])
        }
    }

    /// The pause ran out: watch the listener again and accept what waits (which may pause again).
    func resumeAccepting() {
        acceptPause.resume()
        guard listenFD >= 0, running else { return }
        try? register(fd: listenFD, events: UInt32(CFERRY_EPOLLIN))
        acceptConnections()
    }

    /// Reads what the socket has and dispatches every complete frame.
    func readAvailable(_ connection: KafkaConnection) {
        while connection.readInterest {
            let result: IOResult<Int>
            do {
                result = try nonBlockingSyscall("recv") {
                    recv(connection.fd, readBuffer.baseAddress, readBufferSize, 0)
                }
            } catch {
                close(connection)
                return
            }
            guard case .processed(let n) = result else { return }
            if n == 0 {
                close(connection)  // the client closed; answers still owed have nobody to go to
                return
            }
            counters.bytesReceived.add(n, ordering: .relaxed)
            connection.lastActivity = now
            connection.input.append(contentsOf: UnsafeRawBufferPointer(rebasing: readBuffer[0..<n]))
            processFrames(connection)
            if connection.closed.load(ordering: .relaxed) || n < readBufferSize { return }
        }
    }

    /// Dispatches the complete frames in `input`; pauses reading while too many answers are owed.
    func processFrames(_ connection: KafkaConnection) {
        var consumed = 0
        let input = connection.input
        while input.count - consumed >= 4, !connection.closing,
            connection.inFlight < configuration.maxInFlightPerConnection
        {
            let size =
                Int(input[consumed]) << 24 | Int(input[consumed + 1]) << 16 | Int(input[consumed + 2]) << 8
                | Int(input[consumed + 3])
            guard size >= 8, size <= configuration.maxFrameBytes else {
                refuse(connection, reason: "frame size \(size) outside 8...\(configuration.maxFrameBytes)")
                return
            }
            guard input.count - consumed - 4 >= size else { break }
            let start = consumed + 4
            consumed = start + size
            dispatch(
                connection, frame: start == 4 && consumed == input.count ? input : Array(input[start..<consumed]),
                whole: start == 4 && consumed == input.count, start: start)
            if connection.closed.load(ordering: .relaxed) { return }
        }
        if consumed == connection.input.count {
            connection.input.removeAll(keepingCapacity: connection.input.capacity <= 1 << 20)
        } else if consumed > 0 {
            connection.input.removeFirst(consumed)
        }
        let pause =
            connection.closing || connection.inFlight >= configuration.maxInFlightPerConnection
            || connection.output.pendingBytes > configuration.maxOutputBytes
        if pause == connection.readInterest {
            connection.readInterest = !pause
            updateInterest(connection)
        }
    }

    /// Decodes the header and hands the frame to the handler. `whole`: `frame` is the entire input (with the
    /// size prefix at 0..<4), read from `start`.
    private func dispatch(_ connection: KafkaConnection, frame: [UInt8], whole: Bool, start: Int) {
        var reader = whole ? KafkaReader(frame, from: 4) : KafkaReader(frame)
        let header: KafkaRequestHeader
        do {
            header = try KafkaRequestHeader.decode(&reader)
        } catch {
            refuse(connection, reason: "unreadable request header: \(error)")
            return
        }
        let sequence = connection.nextSequence
        connection.nextSequence += 1
        counters.requests.add(1, ordering: .relaxed)
        let responder = KafkaResponder(
            connection: UncheckedConnection(value: connection), sequence: sequence,
            correlationID: header.correlationID)
        handler.handle(header: header, body: reader, session: connection.session, responder: responder)
    }

    /// Closes a connection that broke the protocol (Kafka brokers do the same; the client reconnects).
    func refuse(_ connection: KafkaConnection, reason: String) {
        counters.malformedFrames.add(1, ordering: .relaxed)
        logger.debug("closing a Kafka connection", metadata: ["peer": "\(connection.remote)", "reason": "\(reason)"])
        close(connection)
    }

    /// Records the answer of request `sequence` and queues every answer now due, in request order.
    func answer(_ connection: KafkaConnection, sequence: UInt64, frame: [[UInt8]]?) {
        guard !connection.closed.load(ordering: .relaxed), sequence >= connection.nextToSend else { return }
        connection.ready[sequence] = .some(frame)
        while let due = connection.ready.removeValue(forKey: connection.nextToSend) {
            connection.nextToSend += 1
            for chunk in due ?? [] { connection.output.append(bytes: chunk) }
        }
        markDirty(connection)
        if !connection.readInterest, !connection.closing, connection.inFlight < configuration.maxInFlightPerConnection,
            connection.output.pendingBytes <= configuration.maxOutputBytes
        {
            connection.readInterest = true
            updateInterest(connection)
            if !connection.input.isEmpty { processFrames(connection) }
        }
    }

    /// Writes queued output; arms `EPOLLOUT` while the socket is full.
    func flush(_ connection: KafkaConnection) {
        guard !connection.closed.load(ordering: .relaxed) else { return }
        if !connection.output.isEmpty {
            do {
                if case .processed(let n) = try connection.output.write(to: connection.fd), n > 0 {
                    counters.bytesSent.add(n, ordering: .relaxed)
                    connection.lastActivity = now
                }
            } catch {
                close(connection)
                return
            }
        }
        let blocked = !connection.output.isEmpty
        if !blocked, connection.closing {
            close(connection)
            return
        }
        if blocked != connection.writeInterest {
            connection.writeInterest = blocked
            updateInterest(connection)
        }
        if !blocked, !connection.closing, !connection.readInterest,
            connection.inFlight < configuration.maxInFlightPerConnection
        {
            connection.readInterest = true
            updateInterest(connection)
            if !connection.input.isEmpty { processFrames(connection) }
        }
    }

    /// Stops reading and closes once the queued output is written.
    func closeWhenFlushed(_ connection: KafkaConnection) {
        guard !connection.closed.load(ordering: .relaxed), !connection.closing else { return }
        connection.closing = true
        counters.malformedFrames.add(1, ordering: .relaxed)
        if connection.readInterest {
            connection.readInterest = false
            updateInterest(connection)
        }
        markDirty(connection)
    }

    /// Closes the socket now; answers still owed are dropped when they arrive.
    func close(_ connection: KafkaConnection) {
        guard !connection.closed.load(ordering: .relaxed) else { return }
        connection.closed.store(true, ordering: .releasing)
        Glibc.close(connection.fd)
        if Int(connection.fd) < connections.count, connections[Int(connection.fd)] === connection {
            connections[Int(connection.fd)] = nil
        }
        connection.output.removeAll()
        connection.input = []
        connection.ready = [:]
        counters.openConnections.subtract(1, ordering: .relaxed)
    }
}
