import FerrySystem
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ``LoopMailbox`` and ``EndOfTurnQueue``: a loop's own posts wake nothing, other threads' posts do, and
/// end-of-turn work runs before the turn's tasks are taken.
struct LoopMailboxTests {
    /// Runs `body` on a fresh thread bound to `mailbox` (as its loop), with the thread's current end-of-turn
    /// queue (nil if binding installed none), and waits for it.
    private func onLoopThread<Item>(
        _ mailbox: LoopMailbox<Item>, _ body: @escaping @Sendable (EndOfTurnQueue?) -> Void
    ) {
        let thread = SystemThread(name: "test-loop") {
            mailbox.bindToCurrentThread()
            body(EndOfTurnQueue.current)
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
        onLoopThread(mailbox) { _ in
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
        onLoopThread(mailbox) { _ in }  // bound to a thread that is gone: this thread is "another thread"
        mailbox.post(1)
        mailbox.post(2)
        var value: UInt64 = 0
        #expect(Glibc.read(mailbox.wakeFD, &value, 8) == 8)
        #expect(value == 1, "one wake-up for posts before the drain")
        #expect(mailbox.takeItems() == [1, 2])
        mailbox.post(3)
        #expect(wakeWasWritten(mailbox), "after a drain the next post wakes again")
    }

    /// Runs `body` on a loop thread of `mailbox` with its end-of-turn queue and a `note` function, and returns
    /// what was noted, in order.
    private func notesOnLoopThread(
        _ mailbox: LoopMailbox<String>,
        _ body: @escaping @Sendable (EndOfTurnQueue, _ note: @escaping @Sendable (String) -> Void) -> Void
    ) -> [String] {
        let notes = Mutex<[String]>([])
        let note: @Sendable (String) -> Void = { text in notes.withLock { $0.append(text) } }
        onLoopThread(mailbox) { turn in
            guard let turn else { return note("no current queue") }
            body(turn, note)
        }
        return notes.withLock { $0 }
    }

    @Test func finishTurn_WritesWhatNeedsNoSync_BeforeTheSyncs_ThenWhatTheSyncsReleased() throws {
        let mailbox = try LoopMailbox<String>()
        let notes = notesOnLoopThread(mailbox) { turn, note in
            turn.addSync {
                note("sync")
                mailbox.post("synced answer")  // a durability callback answering on the loop
                turn.add { note("work added by the sync") }
            }
            turn.add {
                note("work")
                mailbox.post("read answer")  // a woken long-poll answering on the loop
                turn.add { note("work added by work") }
            }
            note("timeout \(mailbox.pollTimeout(1000))")
            mailbox.finishTurn(
                perform: { items in note("perform \(items)") },
                flush: { note("flush") })
            note("pending \(turn.hasPending), timeout \(mailbox.pollTimeout(1000))")
        }
        #expect(
            notes == [
                "timeout 0", "work", "work added by work", "perform [\"read answer\"]", "flush", "sync",
                "work added by the sync", "perform [\"synced answer\"]", "flush", "pending false, timeout 1000",
            ])
    }

    @Test func aSyncForTheNextTurn_WaitsForTheNextFinishTurn_AndKeepsThePollFromSleeping() throws {
        let mailbox = try LoopMailbox<String>()
        let notes = notesOnLoopThread(mailbox) { turn, note in
            let finish = { (name: String) in
                mailbox.finishTurn(perform: { _ in }, flush: { note("flush \(name)") })
            }
            turn.addSync {
                note("sync of turn 1")
                turn.addAfterNextPoll { note("sync put off to turn 2") }
            }
            finish("turn 1")
            note("pending \(turn.hasPending), timeout \(mailbox.pollTimeout(1000))")
            turn.addSync { note("sync of turn 2") }
            finish("turn 2")
            note("pending \(turn.hasPending), timeout \(mailbox.pollTimeout(1000))")
            turn.addAfterNextPoll { note("sync put off by a stopping loop") }
            turn.runPending()
            note("pending \(turn.hasPending)")
        }
        #expect(
            notes == [
                "flush turn 1", "sync of turn 1", "flush turn 1", "pending true, timeout 0",
                "flush turn 2", "sync of turn 2", "sync put off to turn 2", "flush turn 2",
                "pending false, timeout 1000", "sync put off by a stopping loop", "pending false",
            ])
    }

    /// What ``LoopMailbox/finishTurn(perform:flush:)`` decides its yield on: whether a round ran end-of-turn
    /// work (deliveries) and whether syncs wait for this turn.
    @Test func runWork_SaysWhetherWorkRan_AndHasSyncs_CountsOnlyThisTurnsSyncs() {
        let queue = EndOfTurnQueue()
        #expect(!queue.runWork())
        queue.add {}
        #expect(queue.runWork())
        #expect(!queue.runWork())
        queue.addAfterNextPoll {}
        #expect(!queue.hasSyncs)
        queue.beginTurnEnd()
        #expect(queue.hasSyncs)
        #expect(queue.runSyncs())
        #expect(!queue.hasSyncs)
        let ran = Mutex(false)
        queue.addAfterNextPoll { ran.withLock { $0 = true } }
        #expect(!queue.hasSyncs && queue.hasPending)
        queue.beginTurnEnd()
        #expect(queue.hasSyncs && !queue.runWork())
        #expect(queue.runSyncs() && ran.withLock { $0 })
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

/// ``WakeBatch``: posts to other loops inside a batch wake each loop once, when the batch ends.
struct WakeBatchTests {
    /// A mailbox bound to a thread that has ended, so every post from the test's thread comes from "another
    /// thread" and asks for a wake.
    private func mailboxOfAnotherLoop() throws -> LoopMailbox<Int> {
        let mailbox = try LoopMailbox<Int>()
        SystemThread(name: "test-loop") { mailbox.bindToCurrentThread() }.join()
        return mailbox
    }

    /// The eventfd's count, 0 when nothing was written (consumes it).
    private func wakeCount(_ mailbox: LoopMailbox<Int>) -> UInt64 {
        var value: UInt64 = 0
        return Glibc.read(mailbox.wakeFD, &value, 8) == 8 ? value : 0
    }

    @Test func postsInsideABatch_WakeEachLoopOnce_WhenTheBatchEnds() throws {
        let first = try mailboxOfAnotherLoop()
        let second = try mailboxOfAnotherLoop()
        let countsInside = WakeBatch.coalescing { () -> [UInt64] in
            for item in 0..<5 {
                first.post(item)
                _ = first.takeItems()  // the loop drains between posts: each post would wake it again
                second.post(item)
            }
            return [wakeCount(first), wakeCount(second)]
        }
        #expect(countsInside == [0, 0], "no wake before the batch ends")
        #expect(wakeCount(first) == 1)
        #expect(wakeCount(second) == 1)
        #expect(second.takeItems() == [0, 1, 2, 3, 4], "the items were queued at once")
        #expect(!WakeBatch.isActive)
    }

    @Test func aNestedBatch_JoinsTheOuterOne() throws {
        let mailbox = try mailboxOfAnotherLoop()
        let countAfterInner = WakeBatch.coalescing { () -> UInt64 in
            WakeBatch.coalescing { mailbox.post(1) }
            return wakeCount(mailbox)
        }
        #expect(countAfterInner == 0, "the inner batch's end is not the outer one's")
        #expect(wakeCount(mailbox) == 1)
    }

    @Test func outsideABatch_APostWakesAtOnce() throws {
        let mailbox = try mailboxOfAnotherLoop()
        mailbox.post(1)
        #expect(wakeCount(mailbox) == 1)
    }
}
