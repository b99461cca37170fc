import Testing

@testable import FerryBroker

/// The per-partition lease window as a pure state machine, driven by explicit times (no clock, no sleeping).
struct QueueWindowTests {
    /// Leases with random nonces, as the queue does.
    func lease(
        _ window: inout QueueWindow, max: Int, now: Int64 = 0, leaseMs: Int64 = 1000, end: Int64, maxWindow: Int = 100
    ) -> [QueueWindow.Lease] {
        window.lease(max: max, now: now, leaseEnd: now + leaseMs, endOffset: end, maxWindow: maxWindow) {
            UInt64.random(in: 1...UInt64.max)
        }
    }

    @Test func lease_GivesOldestFirst_AndNeverTheSameMessageTwice() {
        var window = QueueWindow(start: 5)
        let first = lease(&window, max: 3, end: 10)
        let second = lease(&window, max: 10, end: 10)
        #expect(first.map(\.offset) == [5, 6, 7])
        #expect(second.map(\.offset) == [8, 9])
        #expect(lease(&window, max: 10, end: 10).isEmpty)
        #expect(window.leasedCount == 5)
        #expect(Set((first + second).map(\.nonce)).count == 5)
    }

    @Test func expire_MakesLeaseAvailable_WithDeliveryCountRaised() {
        var window = QueueWindow(start: 0)
        let leases = lease(&window, max: 2, now: 0, leaseMs: 100, end: 2)
        var became = false
        #expect(window.expire(now: 99, maxDeliveries: 5, becameAvailable: &became).isEmpty)
        #expect(!became)
        #expect(lease(&window, max: 2, now: 99, end: 2).isEmpty)
        _ = window.expire(now: 100, maxDeliveries: 5, becameAvailable: &became)
        #expect(became)
        #expect(window.availableCount == 2 && window.leasedCount == 0)
        let again = lease(&window, max: 5, now: 100, end: 2)
        #expect(again.map(\.offset) == [0, 1])
        #expect(again.map(\.deliveries) == [2, 2])
        #expect(!window.isLive(offset: 0, nonce: leases[0].nonce, now: 100))
        #expect(window.isLive(offset: 0, nonce: again[0].nonce, now: 100))
    }

    @Test func isLive_IsFalse_WhenLeaseEndedEvenBeforeExpiryRuns() {
        var window = QueueWindow(start: 0)
        let leases = lease(&window, max: 1, now: 0, leaseMs: 100, end: 1)
        #expect(window.isLive(offset: 0, nonce: leases[0].nonce, now: 99))
        #expect(!window.isLive(offset: 0, nonce: leases[0].nonce, now: 100))
        #expect(!window.isLive(offset: 0, nonce: leases[0].nonce &+ 1, now: 0))
        #expect(!window.isLive(offset: 1, nonce: leases[0].nonce, now: 0))
    }

    @Test func release_WithDelay_KeepsMessageUnavailableUntilDelayEnds() {
        var window = QueueWindow(start: 0)
        let leases = lease(&window, max: 1, now: 0, end: 1)
        let atOnce = window.release(leases[0].offset, now: 10, availableAt: 510)
        #expect(!atOnce)
        #expect(window.delayedCount == 1 && window.leasedCount == 0)
        var became = false
        _ = window.expire(now: 509, maxDeliveries: 5, becameAvailable: &became)
        #expect(lease(&window, max: 1, now: 509, end: 1).isEmpty)
        _ = window.expire(now: 510, maxDeliveries: 5, becameAvailable: &became)
        #expect(became)
        #expect(lease(&window, max: 1, now: 510, end: 1).map(\.deliveries) == [2])
    }

    @Test func expire_DeadLetters_AfterMaxDeliveries() {
        var window = QueueWindow(start: 0)
        var became = false
        for round in 0..<3 {
            let now = Int64(round) * 1000
            #expect(lease(&window, max: 1, now: now, leaseMs: 1000, end: 1).map(\.deliveries) == [round + 1])
            let dead = window.expire(now: now + 1000, maxDeliveries: 3, becameAvailable: &became)
            #expect(dead.map(\.offset) == (round == 2 ? [0] : []))
        }
        #expect(window.leasedCount == 1)  // on its way to the dead-letter topic
        #expect(lease(&window, max: 1, now: 5000, end: 1).isEmpty)
        window.finishDeadLetter(0, succeeded: true)
        #expect(window.floor == 1 && window.leasedCount == 0 && window.windowSize == 0)
    }

    @Test func ack_OutOfOrder_MovesFloorOnlyOverDoneSlots() {
        var window = QueueWindow(start: 0)
        _ = lease(&window, max: 4, end: 4)
        window.ack(1)
        window.ack(2)
        #expect(window.floor == 0 && window.windowSize == 4)
        window.ack(0)
        #expect(window.floor == 3 && window.windowSize == 1)
        #expect(window.slot(at: 3)?.state == .leased)
    }

    @Test func lease_StopsTakingNewMessages_WhenWindowIsFull() {
        var window = QueueWindow(start: 0)
        #expect(lease(&window, max: 10, end: 100, maxWindow: 4).count == 4)
        window.ack(1)
        #expect(lease(&window, max: 10, end: 100, maxWindow: 4).isEmpty)
        window.ack(0)
        #expect(lease(&window, max: 10, end: 100, maxWindow: 4).map(\.offset) == [4, 5])
    }

    @Test func window_StaysSmall_AfterAMillionAckedOffsets() {
        var window = QueueWindow(start: 0)
        var offset: Int64 = 0
        while offset < 1_000_000 {
            let leases = lease(&window, max: 1000, end: 1_000_000, maxWindow: 10_000)
            // Ack each batch in reverse order: the window holds a batch, then the floor jumps over it.
            for lease in leases.reversed() { window.ack(lease.offset) }
            offset += Int64(leases.count)
        }
        #expect(window.floor == 1_000_000 && window.windowSize == 0)
        #expect(window.slotCapacity <= 1024)
    }

    @Test func replay_GivesLeasesBackWithTheirDeliveryCounts() {
        var window = QueueWindow(start: 0)
        window.replayDelivery(0)
        window.replayDelivery(0)
        window.replayDelivery(2)
        window.replayDone(1)
        let firstTime = window.replayDone(2)
        let secondTime = window.replayDone(2)
        #expect(firstTime && !secondTime)
        var became = false
        let dead = window.expire(now: 1, maxDeliveries: 5, becameAvailable: &became)
        #expect(dead.isEmpty && became)
        #expect(window.floor == 0 && window.availableCount == 1)
        let again = window.lease(max: 5, now: 1, leaseEnd: 100, endOffset: 5, maxWindow: 100) { 7 }
        #expect(again.map(\.offset) == [0, 3, 4])
        #expect(again.map(\.deliveries) == [3, 1, 1])
    }

    @Test func skip_ForgetsMessagesDeletedByRetention() {
        var window = QueueWindow(start: 0)
        _ = lease(&window, max: 3, end: 3)
        window.skip(below: 2)
        #expect(window.floor == 2 && window.leasedCount == 1)
        window.skip(below: 10)
        #expect(window.floor == 10 && window.next == 10 && window.leasedCount == 0)
    }

    @Test func receipt_RoundTrips_AndRejectsGarbage() {
        let receipt = QueueReceipt(partition: 3, offset: 1 << 40, nonce: 0xDEAD_BEEF_0123_4567)
        #expect(QueueReceipt(text: receipt.text) == receipt)
        #expect(receipt.text.count == 40)
        #expect(QueueReceipt(text: "") == nil)
        #expect(QueueReceipt(text: String(repeating: "g", count: 40)) == nil)
        #expect(QueueReceipt(text: receipt.text.uppercased()) == nil)
    }

    @Test func journal_EncodesOffsetsAsRuns() {
        #expect(QueueStateLog.encodeRuns([1, 2, 3, 7, 9, 10]) == "1-3,7,9-10")
        #expect(QueueStateLog.decodeRuns("1-3,7,9-10") == [1, 2, 3, 7, 9, 10])
        #expect(QueueStateLog.decodeRuns("3-1") == nil)
        let entry = QueueJournalEntry.created(
            topic: "t", queue: "q", maxDeliveries: 3, deadLetterTopic: "t.q.dlq", createdAt: 5, startOffsets: [0, 7])
        #expect(QueueStateLog.decode(QueueStateLog.encode(entry)) == entry)
        let acked = QueueJournalEntry.acked(topic: "t", queue: "q", partition: 1, offsets: [4, 5, 6, 9])
        #expect(QueueStateLog.decode(QueueStateLog.encode(acked)) == acked)
    }
}
