/// A header name and value (subscription extra headers and filters keep their order).
public struct SubscriptionHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A webhook subscription's configuration (API.md "Webhook subscriptions"). Plain data; the registry
/// validates it (ranges, names) and the API validates the URL before it gets here.
public struct SubscriptionConfig: Sendable, Equatable {
    public var topic: String
    public var name: String
    public var url: String
    /// The signing secret (never returned by the API); nil: batches are not signed.
    public var secret: String?
    /// Messages per batch, 1…1000.
    public var batchSize: Int
    /// Attempts per batch counting the first, 1…100; then its messages are dead-lettered.
    public var maxAttempts: Int
    /// Per-attempt timeout, 100…300 000 ms.
    public var timeoutMilliseconds: Int
    /// Extra request headers sent with every delivery.
    public var headers: [SubscriptionHeader]
    /// nil: every message is delivered; else only those whose headers equal all these values.
    public var filter: [SubscriptionHeader]?
    public var paused: Bool
    /// Set by a `410 Gone` answer; cleared (with `paused`) by resuming.
    public var disabled: Bool
    public var createdAt: Int64

    public init(
        topic: String, name: String, url: String, secret: String? = nil, batchSize: Int = 1, maxAttempts: Int = 8,
        timeoutMilliseconds: Int = 10_000, headers: [SubscriptionHeader] = [], filter: [SubscriptionHeader]? = nil,
        paused: Bool = false, disabled: Bool = false, createdAt: Int64 = 0
    ) {
        self.topic = topic
        self.name = name
        self.url = url
        self.secret = secret
        self.batchSize = batchSize
        self.maxAttempts = maxAttempts
        self.timeoutMilliseconds = timeoutMilliseconds
        self.headers = headers
        self.filter = filter
        self.paused = paused
        self.disabled = disabled
        self.createdAt = createdAt
    }

    /// `{topic}.{name}.dlq`.
    public var deadLetterTopic: String { "\(topic).\(name).dlq" }

    public static let batchSizeRange = 1...1000
    public static let maxAttemptsRange = 1...100
    public static let timeoutRange = 100...300_000
}

/// Delivery counters of a subscription (journaled with each position commit, so they survive restarts up to
/// the last commit).
public struct SubscriptionStats: Sendable, Equatable {
    /// Messages delivered or skipped by the filter.
    public var delivered: Int64 = 0
    public var failedAttempts: Int64 = 0
    public var deadLettered: Int64 = 0
    public var lastStatus: Int?
    public var lastError: String?
    public var lastDeliveryAt: Int64?

    public init() {}
}

/// The state shown by the API.
public enum SubscriptionState: String, Sendable, Equatable {
    case active
    case paused
    case failing
    case disabled
}

/// What `GET …/subscriptions/{name}` shows (the secret is never part of it).
public struct SubscriptionStatus: Sendable, Equatable {
    public var config: SubscriptionConfig
    public var state: SubscriptionState
    /// Messages not yet delivered (from the committed positions to the end of every partition).
    public var lag: Int64
    public var stats: SubscriptionStats
}

/// Which fields a PATCH changes (nil: unchanged). `secret`/`filter` use a double optional: `.some(nil)`
/// removes them.
public struct SubscriptionPatch: Sendable, Equatable {
    public var paused: Bool?
    public var url: String?
    public var secret: String??
    public var headers: [SubscriptionHeader]?
    public var batchSize: Int?
    public var maxAttempts: Int?
    public var timeoutMilliseconds: Int?
    public var filter: [SubscriptionHeader]??

    public init() {}
}

/// Where a seek moves a subscription.
public enum SubscriptionSeek: Sendable, Equatable {
    case earliest
    case latest
    /// `partition` nil: every partition moves to `offset`.
    case offset(Int64, partition: Int?)
    /// The first message with timestamp ≥ this, per partition (the end when none). Resolved by the storage
    /// (maybe a network round trip): ``Broker/seekSubscription(topic:name:to:onDurable:)`` turns it into
    /// ``partitionOffsets(_:)`` before the registry sees it.
    case timestamp(Int64)
    /// One position per partition, in partition order (the resolved form of ``timestamp(_:)``).
    case partitionOffsets([Int64])
}

/// What the dispatcher needs to deliver one subscription: its config, committed positions (one per partition
/// of the topic, new partitions starting at their first offset) and generation. The generation changes on
/// every seek and re-creation, so work begun under an older one is discarded.
public struct SubscriptionSnapshot: Sendable, Equatable {
    public var config: SubscriptionConfig
    public var positions: [Int64]
    public var generation: Int64
}

struct SubscriptionKey: Hashable, Sendable {
    var topic: String
    var name: String
}
