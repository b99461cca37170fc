/// What one queue receive leased and read: messages with their deliveries, partition by partition, in the order
/// they were leased. Immutable; the message bytes stay valid while it is alive.
public struct QueueReceived: Sendable {
    /// Deliveries of consecutive offsets of one partition and the batch read for them.
    struct Run: Sendable {
        let deliveries: ArraySlice<QueueDelivery>
        let batch: any StoredBatch
    }

    let runs: [Run]

    /// No messages.
    public static let none = QueueReceived(runs: [])

    /// Visits each message that was read with its delivery; returns how many it visited.
    @discardableResult
    public func forEach(_ visit: (borrowing StoredMessage, QueueDelivery) -> Void) -> Int {
        var visited = 0
        for run in runs {
            let first = run.deliveries[run.deliveries.startIndex].offset
            run.batch.forEach { message in
                let position = Int(message.offset - first)
                guard position >= 0 && position < run.deliveries.count else { return }
                visit(message, run.deliveries[run.deliveries.startIndex + position])
                visited += 1
            }
        }
        return visited
    }

    /// How many messages ``forEach(_:)`` visits (a run's read starts at its first offset and asks for no more
    /// messages than it has deliveries).
    public var count: Int { runs.reduce(0) { $0 + $1.batch.count } }
}
