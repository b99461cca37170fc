/// The per-message state of one partition of a queue, kept compact: a floor below which every message is done,
/// a bounded window of slots for the messages in flight, and a read position past which no message was ever
/// delivered.
///
/// ```
///   done (acked or dead-lettered)  |  window: one Slot per offset   |  never delivered (available)
/// ─────────────────────────────────┼─────────────────────────────────┼───────────────────────────────
///                               floor                             next                          endOffset
/// ```
///
/// Slots hold `available` (again), `delayed` (released with a delay), `leased`, `deadLettering` (on its way to
/// the dead-letter topic) or `done`. The floor moves up over done slots, so a queue acked in order keeps no
/// slot at all however many messages it has acked; the window never grows past `maxWindow` slots (receives stop
/// taking new messages from that partition until the oldest in-flight one is done).
///
/// A pure value type with no clock: every time-dependent call takes `now` (milliseconds). Not thread-safe; the
/// owning ``QueueState`` is guarded by its queue's lock.
struct QueueWindow: Sendable {
    enum SlotState: UInt8, Sendable {
        case available, delayed, leased, deadLettering, done
    }

    /// One in-flight message. `deadline`: lease end (leased) or end of the delay (delayed).
    struct Slot: Sendable {
        var deadline: Int64 = 0
        var nonce: UInt64 = 0
        var state: SlotState = .available
        var deliveries: UInt8 = 0
    }

    /// One message handed out by ``lease(max:now:leaseEnd:endOffset:maxWindow:nonce:)``.
    struct Lease: Sendable, Equatable {
        var offset: Int64
        var deliveries: Int
        var nonce: UInt64
    }

    /// Every offset below is done.
    private(set) var floor: Int64
    /// Offsets from here on were never delivered.
    private(set) var next: Int64
    private var slots: [Slot] = []
    /// `slots[head]` is the slot of `floor`.
    private var head = 0
    /// Slots in state `available`.
    private(set) var availableCount = 0
    /// Slots in state `delayed`.
    private(set) var delayedCount = 0
    /// Slots in state `leased` or `deadLettering`.
    private(set) var leasedCount = 0
    /// No slot has a deadline before this (a lower bound; `Int64.max` when none can be due).
    private var earliestDeadline = Int64.max

    init(start: Int64) {
        floor = start
        next = start
    }

    /// Slots in the window (`next - floor`).
    var windowSize: Int { Int(next - floor) }

    /// The slots' memory (capacity included), for tests of compactness.
    var slotCapacity: Int { slots.capacity }

    /// The state of `offset`: nil outside the window (below the floor: done; from `next`: never delivered).
    func slot(at offset: Int64) -> Slot? {
        guard offset >= floor && offset < next else { return nil }
        return slots[head + Int(offset - floor)]
    }

    // MARK: Receive

    /// Leases up to `max` messages, oldest first: available slots of the window, then new messages from `next`
    /// while `next < endOffset` and the window holds fewer than `maxWindow` slots. Each gets a delivery more,
    /// `leaseEnd` and a fresh nonce.
    mutating func lease(
        max: Int, now: Int64, leaseEnd: Int64, endOffset: Int64, maxWindow: Int, nonce: () -> UInt64
    ) -> [Lease] {
        var leases: [Lease] = []
        guard max > 0 else { return leases }
        if availableCount > 0 {
            var index = head
            while index < slots.count && leases.count < max && availableCount > 0 {
                if slots[index].state == .available {
                    availableCount -= 1
                    leases.append(take(index, leaseEnd: leaseEnd, nonce: nonce()))
                }
                index += 1
            }
        }
        while leases.count < max && next < endOffset && windowSize < maxWindow {
            slots.append(Slot())
            next += 1
            leases.append(take(slots.count - 1, leaseEnd: leaseEnd, nonce: nonce()))
        }
        return leases
    }

    private mutating func take(_ index: Int, leaseEnd: Int64, nonce: UInt64) -> Lease {
        slots[index].state = .leased
        slots[index].deadline = leaseEnd
        slots[index].nonce = nonce
        if slots[index].deliveries < UInt8.max { slots[index].deliveries += 1 }
        leasedCount += 1
        earliestDeadline = min(earliestDeadline, leaseEnd)
        return Lease(offset: floor + Int64(index - head), deliveries: Int(slots[index].deliveries), nonce: nonce)
    }

    // MARK: Settle

    /// Whether `(offset, nonce)` names a lease that is still live at `now` (else the receipt is stale).
    func isLive(offset: Int64, nonce: UInt64, now: Int64) -> Bool {
        guard let slot = slot(at: offset) else { return false }
        return slot.state == .leased && slot.nonce == nonce && slot.deadline > now
    }

    /// A live lease ends as acked (done). Call only after ``isLive(offset:nonce:now:)``.
    mutating func ack(_ offset: Int64) {
        let index = index(of: offset)
        leasedCount -= 1
        slots[index].state = .done
        advanceFloor()
    }

    /// A live lease ends: available at `availableAt` (now or later). Returns true when available at once.
    @discardableResult
    mutating func release(_ offset: Int64, now: Int64, availableAt: Int64) -> Bool {
        let index = index(of: offset)
        leasedCount -= 1
        if availableAt <= now {
            slots[index].state = .available
            availableCount += 1
            return true
        }
        slots[index].state = .delayed
        slots[index].deadline = availableAt
        delayedCount += 1
        earliestDeadline = min(earliestDeadline, availableAt)
        return false
    }

    /// A live lease now ends at `leaseEnd`.
    mutating func renew(_ offset: Int64, leaseEnd: Int64) {
        slots[index(of: offset)].deadline = leaseEnd
        earliestDeadline = min(earliestDeadline, leaseEnd)
    }

    /// A live lease ends on its way to the dead-letter topic (still counted as leased). Returns its deliveries.
    mutating func beginDeadLetter(_ offset: Int64) -> Int {
        let index = index(of: offset)
        slots[index].state = .deadLettering
        return Int(slots[index].deliveries)
    }

    /// Ends a dead-lettering: done when `succeeded`, else available again.
    mutating func finishDeadLetter(_ offset: Int64, succeeded: Bool) {
        guard let slot = slot(at: offset), slot.state == .deadLettering else { return }
        let index = index(of: offset)
        leasedCount -= 1
        if succeeded {
            slots[index].state = .done
            advanceFloor()
        } else {
            slots[index].state = .available
            availableCount += 1
        }
    }

    // MARK: Time

    /// Ends every lease and delay due at `now`: an ended lease becomes available, or, after `maxDeliveries`
    /// deliveries, `deadLettering` (returned as `(offset, deliveries)`). Returns quickly when nothing is due.
    /// `becameAvailable` is set when some message became available.
    mutating func expire(now: Int64, maxDeliveries: Int, becameAvailable: inout Bool) -> [(
        offset: Int64, deliveries: Int
    )] {
        guard now >= earliestDeadline else { return [] }
        var deadLetters: [(offset: Int64, deliveries: Int)] = []
        var earliest = Int64.max
        for index in head..<slots.count {
            switch slots[index].state {
            case .leased:
                if slots[index].deadline > now {
                    earliest = min(earliest, slots[index].deadline)
                } else if Int(slots[index].deliveries) >= maxDeliveries {
                    slots[index].state = .deadLettering
                    deadLetters.append((floor + Int64(index - head), Int(slots[index].deliveries)))
                } else {
                    slots[index].state = .available
                    leasedCount -= 1
                    availableCount += 1
                    becameAvailable = true
                }
            case .delayed:
                if slots[index].deadline > now {
                    earliest = min(earliest, slots[index].deadline)
                } else {
                    slots[index].state = .available
                    delayedCount -= 1
                    availableCount += 1
                    becameAvailable = true
                }
            case .available, .deadLettering, .done:
                break
            }
        }
        earliestDeadline = earliest
        return deadLetters
    }

    // MARK: Retention and replay

    /// Moves the window up to `startOffset` when retention deleted messages below it (they are forgotten:
    /// neither acked nor dead-lettered).
    mutating func skip(below startOffset: Int64) {
        guard startOffset > floor else { return }
        while floor < startOffset && head < slots.count {
            switch slots[head].state {
            case .available: availableCount -= 1
            case .delayed: delayedCount -= 1
            case .leased, .deadLettering: leasedCount -= 1
            case .done: break
            }
            head += 1
            floor += 1
        }
        if floor < startOffset {
            floor = startOffset
            next = startOffset
        }
        advanceFloor()
    }

    /// Replays a journaled delivery: one delivery more, and a lease that already ended (deadline 0), so the
    /// next ``expire(now:maxDeliveries:becameAvailable:)`` makes it available or dead-letters it.
    mutating func replayDelivery(_ offset: Int64) {
        guard offset >= floor else { return }
        extend(through: offset)
        let index = index(of: offset)
        switch slots[index].state {
        case .available: availableCount -= 1
        case .leased: leasedCount -= 1
        case .delayed, .deadLettering, .done: return
        }
        slots[index].state = .leased
        slots[index].deadline = 0
        slots[index].nonce = 0
        if slots[index].deliveries < UInt8.max { slots[index].deliveries += 1 }
        leasedCount += 1
        earliestDeadline = 0
    }

    /// Replays a journaled ack or dead-letter: the message is done. Returns false when it already was.
    @discardableResult
    mutating func replayDone(_ offset: Int64) -> Bool {
        guard offset >= floor else { return false }
        extend(through: offset)
        let index = index(of: offset)
        switch slots[index].state {
        case .available: availableCount -= 1
        case .delayed: delayedCount -= 1
        case .leased, .deadLettering: leasedCount -= 1
        case .done: return false
        }
        slots[index].state = .done
        advanceFloor()
        return true
    }

    // MARK: Internals

    private func index(of offset: Int64) -> Int {
        precondition(offset >= floor && offset < next, "offset \(offset) outside window \(floor)..<\(next)")
        return head + Int(offset - floor)
    }

    /// Grows the window with never-delivered (available) slots until it covers `offset`.
    private mutating func extend(through offset: Int64) {
        while next <= offset {
            slots.append(Slot())
            availableCount += 1
            next += 1
        }
    }

    /// Moves the floor over done slots and drops their storage.
    private mutating func advanceFloor() {
        while head < slots.count && slots[head].state == .done {
            head += 1
            floor += 1
        }
        if head == slots.count {
            slots.removeAll(keepingCapacity: slots.capacity <= 1024)
            head = 0
        } else if head >= 1024 && head * 2 >= slots.count {
            slots.removeFirst(head)
            head = 0
        }
    }
}
