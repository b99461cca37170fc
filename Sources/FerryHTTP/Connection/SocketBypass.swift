import FerrySystem
import Synchronization

/// Lets a thread other than a connection's loop write straight to the socket the answer of a held request or
/// the next bytes of a stream, instead of posting them to the loop and waking it: a wake-up of a loop whose
/// CPU sleeps costs about 70-90 µs here, the better part of a delivery (long-poll answer, Server-Sent Event)
/// made by an append on another loop.
///
/// Open for one request at a time, and only while the loop holds nothing of its connection's output: the
/// loop opens it at the end of the turn that held a request its handler did not answer (the answer is framed
/// as the loop would frame it then: keep-alive, HTTP/1.0, HEAD, request id), or once a stream's output queue
/// has drained with no posted write of it waiting in the mailbox. Answers made inside a `WakeBatch` (a sync
/// answering a whole group) still go through the loops, which send them in parallel. It is shut
/// - by the direct answer itself (one-shot; the loop then does the bookkeeping: access log, next request);
/// - for a stream, by any write that goes through the mailbox (made on the loop thread, or finding it shut),
///   by a writer whose bytes the socket did not take whole (the rest is posted: the loop owns the order
///   again), and by ``HTTPStreamWriter/finish()``;
/// - by the loop, before it answers the request itself, ends the stream or closes the socket.
/// Once the server begins to shut down no answer takes it (answers then say `Connection: close`, which the
/// loop frames).
///
/// Open thus means: the output queue is empty, nothing of the request is queued, and the socket stays open
/// while the lock is held. A writer holds the lock across its `send`, so two writers never interleave and the
/// loop never closes the descriptor (whose number the kernel may reuse) under a write.
struct SocketBypass {
    /// What the bypass is open for.
    enum Opening {
        /// A stream's body; chunked framing for HTTP/1.1 (HTTP/1.0 streams are delimited by the close, raw).
        case stream(chunked: Bool)
        /// The one answer of a held request.
        case response(ResponseFraming)
    }

    /// The request open for direct writes; 0 when shut.
    var sequence: UInt64 = 0
    var opening = Opening.stream(chunked: true)
    /// Stream writes posted to the loop and not yet run by it (the bypass stays shut while any).
    var queuedWrites = 0
    /// The last stream whose writer called ``HTTPStreamWriter/finish()``: never opened again.
    var finishedSequence: UInt64 = 0
    /// Stream body bytes written past the loop and not yet added to ``Connection/streamedBytes``.
    var bodyBytes = 0
    /// The last request answered past the loop: never opened again, nor answered by the loop (requests are
    /// numbered in order per connection, so this only grows).
    var answeredSequence: UInt64 = 0
    /// The answer to ``answeredSequence``, until the loop has accounted for it.
    var answer: DirectAnswer?
}

/// An answer sent past the loop: what the loop's access log and observer need of it.
struct DirectAnswer {
    var status: HTTPStatus
    var bodyBytes: Int
    /// When it was sent (the context's monotonic clock), the end of the request's duration.
    var sentAt: UInt64
}

extension Connection {
    /// Writes `bytes` (not empty) as the next part of stream `sequence`: straight to the socket when the bypass
    /// is open for it and the caller is not the loop thread; on the loop thread outside the stream's own handler,
    /// into the connection's output at once when nothing of the stream is posted and it is streaming (no mailbox
    /// round); otherwise, and for whatever the socket did not take, through the loop's mailbox. Any thread; never
    /// blocks on the socket (it is non-blocking).
    func writeStream(_ bytes: [UInt8], sequence: UInt64) {
        if loop.isOnLoopThread {
            writeStreamOnLoop(bytes, sequence: sequence)
            return
        }
        let task: LoopTask? = bypass.withLock { state in
            guard state.sequence == sequence, case .stream(let chunked) = state.opening else {
                state.sequence = 0
                state.queuedWrites += 1
                return .streamWrite(self, sequence, bytes)
            }
            var framed = OutputQueue()
            ResponseSerializer.appendStreamPiece(bytes, chunked: chunked, to: &framed)
            send(&framed)
            if framed.isEmpty {
                state.bodyBytes += bytes.count
                return nil
            }
            state.sequence = 0
            state.queuedWrites += 1
            return .streamResume(self, sequence, framed.unwrittenChunks, bytes.count)
        }
        if let task { loop.enqueue(task) }
    }

    /// ``writeStream(_:sequence:)`` on the connection's loop thread: the loop's own write when the stream is
    /// streaming and none of its writes (nor its end) is posted, since those must go first; a posted write
    /// otherwise, and inside the stream's own handler (a write there may close the connection, over its buffer
    /// limit, which the loop does only once the handler has returned). Either way the bypass is shut: the loop
    /// holds output of the stream now.
    private func writeStreamOnLoop(_ bytes: [UInt8], sequence: UInt64) {
        let streamingOutsideItsHandler = machine.isStreaming(sequence) && inHandler != sequence
        let direct = bypass.withLock { state -> Bool in
            state.sequence = 0
            guard streamingOutsideItsHandler, state.queuedWrites == 0, state.finishedSequence != sequence else {
                state.queuedWrites += 1
                return false
            }
            return true
        }
        if direct {
            bypassOpen = false
            loop.streamWrite(self, sequence: sequence, bytes: bytes)
        } else {
            loop.enqueue(.streamWrite(self, sequence, bytes))
        }
    }

    /// Sends `response` as the answer of held request `sequence` straight to the socket, when the bypass is open
    /// for it and the caller is not the loop thread; the loop is then told (for its bookkeeping, and for
    /// whatever the socket did not take). True when sent, false when an answer to it already went out this
    /// way, nil when the bypass is not open for it: answer through the loop.
    func respondDirectly(_ response: HTTPResponse, sequence: UInt64) -> Bool? {
        // Inside a WakeBatch (a sync answering the appends of a whole group, many of them on other loops) the
        // answers go to their loops, woken once each at the end of the batch: they send them in parallel,
        // where direct sends would all fall on this thread (measured: 64 producers, 52-55k -> 42-50k req/s).
        guard !loop.isOnLoopThread, !WakeBatch.isActive else { return nil }
        let context = loop.context
        // Once the server shuts down, answers say `Connection: close`: the loop frames them.
        guard !context.shuttingDown.load(ordering: .relaxed) else { return nil }
        enum Outcome {
            case notOpen, alreadyAnswered
            case sent(LoopTask)
        }
        let outcome = bypass.withLock { state -> Outcome in
            if state.answeredSequence == sequence { return .alreadyAnswered }
            guard state.sequence == sequence, case .response(let framing) = state.opening else { return .notOpen }
            state.sequence = 0
            state.answeredSequence = sequence
            let now = context.clock.nanoseconds()
            let date = context.sharedDate.withLock { $0.bytes(now: now) }
            var out = OutputQueue()
            let bodyBytes = ResponseSerializer.append(response, framing: framing, date: date, to: &out)
            send(&out)
            state.answer = DirectAnswer(status: response.status, bodyBytes: bodyBytes, sentAt: now)
            return .sent(.answered(self, sequence, out.unwrittenChunks))
        }
        switch outcome {
        case .notOpen: return nil
        case .alreadyAnswered: return false
        case .sent(let task):
            loop.enqueue(task)
            return true
        }
    }

    /// Writes what the socket takes of `out` now (under the bypass lock). An error leaves the bytes queued: the
    /// loop meets it again on its own write and closes.
    private func send(_ out: inout OutputQueue) {
        if case .processed(let written)? = try? out.write(to: fd), written > 0 {
            loop.bytesSent.add(written, ordering: .relaxed)
        }
    }

    /// True when stream `sequence` is open for direct writes: nothing of it is queued anywhere, so any drain
    /// threshold is met. Any thread.
    func isBypassDrained(sequence: UInt64) -> Bool {
        bypass.withLock { $0.sequence == sequence }
    }

    /// The writer finished stream `sequence`: no direct write may follow (nor overtake the final chunk). Any thread.
    func shutBypass(finishing sequence: UInt64) {
        bypass.withLock { state in
            if state.sequence == sequence { state.sequence = 0 }
            state.finishedSequence = sequence
        }
    }

    // MARK: On the loop thread

    /// A posted stream write of this connection is being run: one fewer queued.
    func queuedWriteRan() {
        bypassOpen = false
        bypass.withLock { $0.queuedWrites -= 1 }
    }

    /// Opens the bypass for request `sequence` (the output queue is empty: the caller just drained it, or
    /// found it so) unless a posted write of it is still queued or its stream was finished.
    func openBypass(sequence: UInt64, for opening: SocketBypass.Opening) {
        bypassOpen = bypass.withLock { state in
            guard state.queuedWrites == 0, state.finishedSequence != sequence, state.answeredSequence < sequence
            else { return false }
            state.sequence = sequence
            state.opening = opening
            return true
        }
        if bypassOpen, case .response = opening { answerBypassSequence = sequence }
    }

    /// The loop is about to answer held request `sequence` itself: shuts the bypass; false when an answer
    /// already went out past the loop (this one is then dropped).
    func claimAnswer(sequence: UInt64) -> Bool {
        bypassOpen = false
        return bypass.withLock { state in
            if state.answeredSequence == sequence { return false }
            if state.sequence == sequence { state.sequence = 0 }
            return true
        }
    }

    /// Takes the record of the answer to `sequence` sent past the loop, if one was.
    func takeDirectAnswer(sequence: UInt64) -> DirectAnswer? {
        bypassOpen = false
        return bypass.withLock { state in
            guard state.answeredSequence == sequence, let answer = state.answer else { return nil }
            state.answer = nil
            return answer
        }
    }

    /// Shuts the bypass (before the loop ends the stream or closes the socket) and counts the stream body bytes
    /// written past the loop in ``streamedBytes``. Returns the answer to the request in progress that went out
    /// past the loop, if one did and the loop has not accounted for it yet.
    @discardableResult
    func shutBypass() -> DirectAnswer? {
        bypassOpen = false
        let active = activeSequence
        let (bytes, answer) = bypass.withLock { state in
            state.sequence = 0
            defer {
                state.bodyBytes = 0
                state.answer = nil
            }
            return (state.bodyBytes, state.answeredSequence == active ? state.answer : nil)
        }
        streamedBytes += bytes
        return answer
    }
}
