import FerrySystem
import Synchronization

/// Lets a thread other than a connection's loop write a stream's next bytes straight to the socket, instead of
/// posting them to the loop and waking it: a wake-up of a loop whose CPU sleeps costs about 70-90 µs here, the
/// better part of a Server-Sent Events delivery made by an append on another loop.
///
/// Open for one streaming request, and only while the loop holds nothing of it: the loop opens it when the
/// stream's output queue has drained and no posted write of the stream waits in its mailbox. It is shut by
/// any write that goes through the mailbox (a write made on the loop thread, or one that finds it shut), by a
/// writer whose bytes the socket did not take whole (the rest is posted, and the loop owns the order again),
/// by ``HTTPStreamWriter/finish()``, and by the loop before it ends the stream or closes the socket. Open thus
/// means: the output queue is empty, nothing of the stream is queued, and the socket stays open while the lock
/// is held. A writer holds the lock across its `send`, so two writers never interleave and the loop never
/// closes the descriptor (whose number the kernel may reuse) under a write.
struct StreamBypass {
    /// The stream open for direct writes; 0 when shut.
    var sequence: UInt64 = 0
    /// Chunked framing (HTTP/1.1); HTTP/1.0 streams are delimited by the close and written raw.
    var chunked = true
    /// Writes of this connection posted to the loop and not yet run by it (the bypass stays shut while any).
    var queuedWrites = 0
    /// The last stream whose writer called ``HTTPStreamWriter/finish()``: never opened again.
    var finishedSequence: UInt64 = 0
    /// Body bytes written past the loop and not yet added to ``Connection/streamedBytes``.
    var bodyBytes = 0
}

extension Connection {
    /// Writes `bytes` (not empty) as the next part of stream `sequence`: straight to the socket when the bypass
    /// is open for it and the caller is not the loop thread; otherwise, and for whatever the socket did not take,
    /// through the loop's mailbox. Any thread; never blocks on the socket (it is non-blocking).
    func writeStream(_ bytes: [UInt8], sequence: UInt64) {
        let offLoop = !loop.isOnLoopThread
        let task: LoopTask? = bypass.withLock { state in
            guard offLoop, state.sequence == sequence else {
                state.sequence = 0
                state.queuedWrites += 1
                return .streamWrite(self, sequence, bytes)
            }
            var framed = OutputQueue()
            if state.chunked { framed.append { ResponseSerializer.appendChunkSize(bytes.count, to: &$0) } }
            framed.append(bytes: bytes)
            if state.chunked { framed.append { $0.append(contentsOf: "\r\n".utf8) } }
            // An error leaves the bytes queued: the loop meets it again on its own write and closes.
            if case .processed(let written)? = try? framed.write(to: fd), written > 0 {
                loop.bytesSent.add(written, ordering: .relaxed)
            }
            if framed.isEmpty {
                state.bodyBytes += bytes.count
                return nil
            }
            state.sequence = 0
            state.queuedWrites += 1
            return .streamResume(self, sequence, framed, bytes.count)
        }
        if let task { loop.enqueue(task) }
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

    /// A posted write of this connection is being run: one fewer queued.
    func queuedWriteRan() {
        bypassOpen = false
        bypass.withLock { $0.queuedWrites -= 1 }
    }

    /// Opens the bypass for stream `sequence` when nothing of it is queued and its writer has not finished it
    /// (the output queue is empty: the caller just drained it).
    func openBypass(sequence: UInt64) {
        let chunked = !isHTTP10
        bypassOpen = bypass.withLock { state in
            guard state.queuedWrites == 0, state.finishedSequence != sequence else { return false }
            state.sequence = sequence
            state.chunked = chunked
            return true
        }
    }

    /// Shuts the bypass (before the loop ends the stream or closes the socket) and counts the body bytes written
    /// past the loop in ``streamedBytes``.
    func shutBypass() {
        bypassOpen = false
        streamedBytes += bypass.withLock { state in
            state.sequence = 0
            defer { state.bodyBytes = 0 }
            return state.bodyBytes
        }
    }
}
