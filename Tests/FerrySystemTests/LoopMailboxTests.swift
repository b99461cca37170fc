import FerrySystem
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ``LoopMailbox`` and ``EndOfTurnQueue``: a loop's own posts wake nothing, other threads' posts do, and
/// end-of-turn work runs before the turn's tasks are taken.
struct LoopMailboxTests {
    /// Runs `body` on a fresh thread bound to `mailbox` (as its loop) and waits for it.
    private func onLoopThread(_ mailbox: LoopMailbox<Int>, _ body: @escaping @Sendable () -> Void) {
        let thread = SystemThread(name: "test-loop") {
            mailbox.bindToCurrentThread()
            body()
            mailbox.unbindFromCurrentThread()
        }
        thread.join()
    }

    /// Whether the mailbox's eventfd has a count to read (consumes it).
    private func wakeWasWritten(_ mailbox: LoopMailbox<Int>) -> Bool {
        var value: UInt64 = 0
        return Glibc.read(mailbox.wakeFD, &value, 8) == 8
    }

    @Test func postFromTheLoopItself_WritesNoWakeUp_ButZeroesTheTimeout() throws {
        let mailbox = try LoopMailbox<Int>()
        let seen = Mutex<(timeout: Int32, items: [Int], again: Int32)>((-1, [], -1))
        onLoopThread(mailbox) {
            mailbox.post(1)
            mailbox.post(2)
            let timeout = mailbox.pollTimeout(1000)
            let items = mailbox.takeItems()
            seen.withLock { $0 = (timeout, items, mailbox.pollTimeout(1000)) }
        }
        #expect(!wakeWasWritten(mailbox), "the loop's own posts do not wake it")
        let result = seen.withLock { $0 }
        #expect(result.timeout == 0, "queued items make the next wait not sleep")
        #expect(result.items == [1, 2])
        #expect(result.again == 1000, "once drained, the loop may sleep")
    }

    @Test func postFromAnotherThread_WakesTheLoopOnce_UntilTheNextDrain() throws {
        let mailbox = try LoopMailbox<Int>()
        onLoopThread(mailbox) {}  // bound to a thread that is gone: this thread is "another thread"
        mailbox.post(1)
        mailbox.post(2)
        var value: UInt64 = 0
        #expect(Glibc.read(mailbox.wakeFD, &value, 8) == 8)
        #expect(value == 1, "one wake-up for posts before the drain")
        #expect(mailbox.takeItems() == [1, 2])
        mailbox.post(3)
        #expect(wakeWasWritten(mailbox), "after a drain the next post wakes again")
    }

    @Test func finishTurn_WritesWhatNeedsNoSync_BeforeTheSyncs_ThenWhatTheSyncsReleased() throws {
        let mailbox = try LoopMailbox<String>()
        let log = Mutex<[String]>([])
        let thread = SystemThread(name: "test-loop") {
            mailbox.bindToCurrentThread()
            defer { mailbox.unbindFromCurrentThread() }
            guard let turn = EndOfTurnQueue.current else {
                log.withLock { $0.append("no current queue") }
                return
            }
            turn.addSync {
                log.withLock { $0.append("sync") }
                mailbox.post("synced answer")  // a durability callback answering on the loop
                turn.add { log.withLock { $0.append("work added by the sync") } }
            }
            turn.add {
                log.withLock { $0.append("work") }
                mailbox.post("read answer")  // a woken long-poll answering on the loop
                turn.add { log.withLock { $0.append("work added by work") } }
            }
            log.withLock { $0.append("timeout \(mailbox.pollTimeout(1000))") }
            mailbox.finishTurn(
                perform: { items in log.withLock { $0.append("perform \(items)") } },
                flush: { log.withLock { $0.append("flush") } })
            log.withLock { $0.append("pending \(turn.hasPending), timeout \(mailbox.pollTimeout(1000))") }
        }
        thread.join()
        #expect(
            log.withLock { $0 } == [
                "timeout 0", "work", "work added by work", "perform [\"read answer\"]", "flush", "sync",
                "work added by the sync", "perform [\"synced answer\"]", "flush", "pending false, timeout 1000",
            ])
    }

    @Test func current_IsNil_OnAThreadWithoutALoop_AndAfterUnbinding() throws {
        let mailbox = try LoopMailbox<Int>()
        let seen = Mutex<[Bool]>([])
        let thread = SystemThread(name: "test-plain") {
            let before = EndOfTurnQueue.current != nil
            mailbox.bindToCurrentThread()
            let bound = EndOfTurnQueue.current === mailbox.endOfTurn
            mailbox.unbindFromCurrentThread()
            seen.withLock { $0 = [before, bound, EndOfTurnQueue.current != nil] }
        }
        thread.join()
        #expect(seen.withLock { $0 } == [false, true, false])
    }
}
