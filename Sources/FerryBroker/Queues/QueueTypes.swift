/// How a queue is created (API.md "Queues").
public struct QueueOptions: Sendable, Equatable {
    /// Start at the topic's start offsets (`earliest`) or at its end offsets as of creation (`latest`).
    public var start: OffsetReset
    /// A message whose lease ends after this many deliveries goes to the dead-letter topic (1…100).
    public var maxDeliveries: Int
    /// nil: `{topic}.{queue}.dlq`.
    public var deadLetterTopic: String?

    public init(start: OffsetReset = .latest, maxDeliveries: Int = 5, deadLetterTopic: String? = nil) {
        self.start = start
        self.maxDeliveries = maxDeliveries
        self.deadLetterTopic = deadLetterTopic
    }
}

/// A queue's counts and floors. `available` counts messages ready now or after a release delay; `leased`
/// counts live leases (and messages on their way to the dead-letter topic); `acked` and `deadLettered` count
/// since creation.
public struct QueueStatus: Sendable, Equatable {
    public struct Partition: Sendable, Equatable {
        public var partition: Int
        /// Every message below is done (acked or dead-lettered).
        public var floorOffset: Int64
    }

    public var name: String
    public var topic: String
    public var available: Int64
    public var leased: Int64
    public var acked: Int64
    public var deadLettered: Int64
    public var maxDeliveries: Int
    public var deadLetterTopic: String
    public var partitions: [Partition]
}

/// One message handed out by a receive.
public struct QueueDelivery: Sendable, Equatable {
    public var partition: Int
    public var offset: Int64
    /// 1 on the first delivery.
    public var deliveryCount: Int
    public var receipt: QueueReceipt
}

/// What to do with leased messages.
public enum QueueSettlement: Sendable, Equatable {
    /// Done; never delivered again.
    case ack
    /// Available again after the delay.
    case release(delayMilliseconds: Int64)
    /// Straight to the dead-letter topic.
    case reject
    /// The lease now ends `leaseMilliseconds` from now.
    case renew(leaseMilliseconds: Int64)
}

/// The outcome for one receipt: `ok`, or `stale` (the lease had ended, or it is no receipt of this queue;
/// nothing changed).
public enum ReceiptStatus: String, Sendable, Equatable {
    case ok
    case stale
}

struct QueueKey: Hashable, Sendable {
    var topic: String
    var queue: String
}
