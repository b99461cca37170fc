/// One piece of scheduled work in a ``DeadlineHeap`` (of a ``DeadlineScheduler``, or of FerryLog's flusher):
/// its deadline, its place in the heap, its work.
///
/// Every mutable field belongs to the heap's owner and is read or written only under its lock; that lock is what
/// makes handing entries between threads safe.
package final class TimerEntry: @unchecked Sendable {
    /// Monotonic nanoseconds (``MonotonicClock``) at which the work is due.
    package let deadline: UInt64
    /// Breaks ties between equal deadlines: the earlier scheduled runs first.
    let sequence: UInt64
    /// Position in ``DeadlineHeap/entries``; -1 once the entry left the heap (due, or cancelled).
    var index = -1
    /// The work until it is claimed to run or cancelled; nil afterwards (released).
    package var work: (@Sendable () -> Void)?

    package init(deadline: UInt64, sequence: UInt64, work: @escaping @Sendable () -> Void) {
        self.deadline = deadline
        self.sequence = sequence
        self.work = work
    }

    /// Whether `self` is due before `other`.
    func precedes(_ other: TimerEntry) -> Bool {
        deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
    }
}

/// A binary min-heap of ``TimerEntry`` ordered by deadline, where each entry knows its index, so a cancelled
/// entry leaves in O(log n) instead of staying until its deadline (a stream of 60 s long-polls answered at once
/// must not pile up). Not thread-safe: its owner (a ``DeadlineScheduler``, FerryLog's flusher) guards it with a
/// lock.
package struct DeadlineHeap {
    private(set) var entries: [TimerEntry] = []

    package init() {}

    /// The entry due first.
    package var first: TimerEntry? { entries.first }

    package var count: Int { entries.count }

    package mutating func insert(_ entry: TimerEntry) {
        entry.index = entries.count
        entries.append(entry)
        siftUp(entry.index)
    }

    /// Takes the entry due first out of the heap.
    package mutating func popFirst() -> TimerEntry? {
        guard let first = entries.first else { return nil }
        remove(first)
        return first
    }

    /// Takes `entry` out of the heap; no-op when it is not in it (any more).
    package mutating func remove(_ entry: TimerEntry) {
        let index = entry.index
        guard index >= 0, index < entries.count, entries[index] === entry else { return }
        entry.index = -1
        let last = entries.removeLast()
        guard index < entries.count else { return }  // it was the last one
        entries[index] = last
        last.index = index
        siftDown(index)
        siftUp(last.index)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            let right = left + 1
            var smallest = left
            if right < entries.count, entries[right].precedes(entries[left]) { smallest = right }
            guard entries[smallest].precedes(entries[parent]) else { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }

    private mutating func swapAt(_ i: Int, _ j: Int) {
        entries.swapAt(i, j)
        entries[i].index = i
        entries[j].index = j
    }
}
