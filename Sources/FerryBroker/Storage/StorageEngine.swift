/// The broker's only view of storage: topics made of partitions that append and read messages.
///
/// Ferry's embedded engine implements it over `FerryLog` (``EmbeddedStorageEngine``); an engine over an
/// Apache Kafka cluster can implement the same protocol. Implementations are thread-safe.
public protocol StorageEngine: Sendable {
    /// Topics that exist, with their metadata (after recovery; called once at start-up).
    func loadTopics() throws(BrokerError) -> [TopicMetadata]
    /// Creates the topic's partitions and persists its metadata.
    func createTopic(_ metadata: TopicMetadata) throws(BrokerError)
    /// Persists new metadata: more partitions and/or a new config (applied to existing partitions).
    func updateTopic(_ metadata: TopicMetadata) throws(BrokerError)
    /// Removes the topic and all its data.
    func deleteTopic(_ name: String) throws(BrokerError)
    /// A partition of an existing topic, or nil.
    func partition(topic: String, partition: Int) -> (any PartitionStorage)?
    /// Applies retention to every partition (deletes old closed segments) and may trim what the engine keeps
    /// resident for reads.
    func enforceRetention(nowMilliseconds: Int64)
    /// Flushes and closes everything; no call may follow.
    func shutdown()
    /// Calls `observer` with the duration of every sync (fsync/msync round) the engine makes, from its flusher
    /// threads; `observer` must not block. Engines that do not sync never call it (the default).
    func observeSyncs(_ observer: @escaping @Sendable (_ nanoseconds: UInt64) -> Void)
    /// Whether the engine's storage is full (appends refused for lack of space) and how many times it became
    /// so; nil for an engine that cannot tell (the default).
    var storageSpace: StorageSpace? { get }
    /// Whether the storage can be reached now (a Kafka cluster); `/readyz` answers 503 while it cannot.
    /// Never blocks. True for an engine on local disk (the default).
    var isAvailable: Bool { get }
    /// Every topic as the storage last saw it, where others may create, grow or delete topics behind this
    /// broker's back (a shared Kafka cluster); nil where only this broker changes topics (the default).
    /// Never blocks (a cached view the engine refreshes).
    var externalTopics: [TopicMetadata]? { get }
    /// Whether creating, altering or deleting a topic waits for the network (a cluster's controller): callers
    /// on an event loop then hand those calls to a thread that may block. False by default.
    var topicAdministrationBlocks: Bool { get }
    /// Offers the groups' committed offsets to an engine that mirrors them where other tools look (Kafka's
    /// group coordinator, so kafka-consumer-groups and Burrow show Ferry groups' lag). `snapshot` is evaluated
    /// only when the engine wants one (it takes the coordinator's lock). Called by housekeeping; never blocks.
    /// The default ignores it.
    func mirrorCommittedOffsets(_ snapshot: () -> [String: [TopicPartition: Int64]])
    /// What the engine reports about itself on `/metrics` (read at scrape time; never blocks). Empty by default.
    var metrics: [StorageMetric] { get }
}

/// One number a storage engine reports for `/metrics`: a counter (a running total) or a gauge.
public struct StorageMetric: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case counter
        case gauge
    }

    public var name: String
    public var kind: Kind
    public var value: Int64

    public init(_ name: String, _ kind: Kind, _ value: Int64) {
        self.name = name
        self.kind = kind
        self.value = value
    }
}

extension StorageEngine {
    public func observeSyncs(_ observer: @escaping @Sendable (_ nanoseconds: UInt64) -> Void) {}
    public var storageSpace: StorageSpace? { nil }
    public var isAvailable: Bool { true }
    public var externalTopics: [TopicMetadata]? { nil }
    public var topicAdministrationBlocks: Bool { false }
    public func mirrorCommittedOffsets(_ snapshot: () -> [String: [TopicPartition: Int64]]) {}
    public var metrics: [StorageMetric] { [] }
}

/// One partition: a dense, append-only sequence of messages.
///
/// Thread-safe; appends are serialized inside, reads run concurrently.
public protocol PartitionStorage: AnyObject, Sendable {
    /// The first offset still stored (advances with retention).
    var startOffset: Int64 { get }
    /// The offset the next message gets.
    var endOffset: Int64 { get }
    /// Bytes stored; nil for an engine that cannot tell (Kafka).
    var sizeInBytes: Int64? { get }
    /// Start, end and size read together (one lock), for a request that needs more than one of them.
    var bounds: PartitionBounds { get }
    /// Segments on disk; nil for an engine that cannot tell (Kafka).
    var segmentCount: Int? { get }
    /// Messages and bytes appended to and read from this partition since it was opened (for metrics).
    var traffic: PartitionTrafficTotals { get }

    /// Appends the records `indices` of `batch` (with `timestamps`) as one atomic batch and calls `completion`
    /// once: with the offsets they got, in `indices` order, when they are durable as the engine promises (the
    /// embedded engine: its flush policy; Kafka: every replica's acknowledgement), or with the error (nothing
    /// appended, or its sync failed). The records are readable no later than `completion` runs.
    ///
    /// Never blocks. Appends to one partition are stored in call order. `completion` runs on the caller's thread
    /// before `append` returns when the engine knows at once (the embedded engine under `interval`/`never`),
    /// otherwise later on one of its threads; it must not block.
    func append(
        _ batch: ProduceBatch, indices: [Int], timestamps: [Int64],
        completion: @escaping @Sendable (Result<AppendedOffsets, BrokerError>) -> Void)

    /// Reads up to `maxMessages` messages from `offset` (which must be in `startOffset...endOffset`), stopping
    /// before the total key + value bytes would exceed `maxBytes`, except that the first message is always
    /// included, and calls `completion` once with them (``StoredBatch``) or with `offsetOutOfRange` for an
    /// offset outside the stored range (or another error).
    ///
    /// Never blocks the caller. `completion` runs on the caller's thread before `read` returns when the engine
    /// has the data at hand (the embedded engine always does), otherwise later on one of the engine's threads
    /// (an engine over the network); it must not block either way.
    func read(
        from offset: Int64, maxMessages: Int, maxBytes: Int,
        completion: @escaping @Sendable (Result<any StoredBatch, BrokerError>) -> Void)

    /// Finds the first offset whose timestamp is ≥ `timestamp` (`endOffset` when none) and calls `completion`
    /// once with it or with the error. Never blocks the caller: the embedded engine answers at once on the
    /// caller's thread, an engine over the network later on one of its threads (`completion` must not block).
    func offset(
        atOrAfterTimestamp timestamp: Int64, completion: @escaping @Sendable (Result<Int64, BrokerError>) -> Void)

    /// Calls `callback` once, from any thread, as soon as `endOffset > offset` (immediately when that already
    /// holds). Returns a token for ``cancelWait(_:)``.
    func waitForAppend(after offset: Int64, _ callback: @escaping @Sendable () -> Void) -> AppendWaitToken

    /// Forgets a waiter (no-op if it already fired).
    func cancelWait(_ token: AppendWaitToken)

    /// Compaction of an internal journal, step 1: starts a new segment and returns its first offset. Every
    /// record appended afterwards is at or past it; ``dropHistory(before:)`` with it removes what came before.
    /// Does not block on fsync.
    func startNewSegment() throws(BrokerError) -> Int64

    /// Compaction of an internal journal, step 2: makes everything appended so far durable (blocks on fsync),
    /// then deletes the whole segments that end at or before `offset`. Called once the owner has appended a
    /// snapshot of its live state after ``startNewSegment()``: after a crash at any point the partition holds
    /// the old history followed by the snapshot, or the snapshot alone, and either replays to the same state.
    func dropHistory(before offset: Int64) throws(BrokerError)
}

/// A partition's traffic since it was opened: messages and key + value bytes appended and read out (every
/// read the partition serves: fetches, streams, queue receives, dead-letter copies). Only grows.
public struct PartitionTrafficTotals: Sendable, Equatable {
    public var appendedMessages: Int
    public var appendedBytes: Int
    public var readMessages: Int
    public var readBytes: Int

    public init(appendedMessages: Int = 0, appendedBytes: Int = 0, readMessages: Int = 0, readBytes: Int = 0) {
        self.appendedMessages = appendedMessages
        self.appendedBytes = appendedBytes
        self.readMessages = readMessages
        self.readBytes = readBytes
    }
}

/// An engine's handle on a registered append waiter (opaque to the broker).
public struct AppendWaitToken: Sendable {
    public let value: any Sendable
    public init(_ value: any Sendable) { self.value = value }
}

/// How a stored value was produced: JSON text (returned as JSON) or raw bytes (returned as a string/base64).
public enum ValueFormat: UInt8, Sendable {
    case raw = 0
    case json = 1
}

/// A message read from storage. Its buffers point into storage and are valid only during the visit.
public struct StoredMessage: ~Copyable {
    public let offset: Int64
    public let timestamp: Int64
    /// nil when the message has no key.
    public let key: UnsafeRawBufferPointer?
    /// nil for a null value (tombstone).
    public let value: UnsafeRawBufferPointer?
    public let valueFormat: ValueFormat
    public let headers: [(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)]

    public init(
        offset: Int64, timestamp: Int64, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        valueFormat: ValueFormat, headers: [(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)]
    ) {
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.valueFormat = valueFormat
        self.headers = headers
    }
}

/// A partition's extent at one instant.
public struct PartitionBounds: Sendable, Equatable {
    /// The first offset still stored.
    public var startOffset: Int64
    /// The offset the next message gets.
    public var endOffset: Int64
    /// Bytes stored; nil where the engine cannot tell (Kafka).
    public var sizeInBytes: Int64?

    public init(startOffset: Int64, endOffset: Int64, sizeInBytes: Int64?) {
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.sizeInBytes = sizeInBytes
    }
}

/// What one ``PartitionStorage/read(from:maxMessages:maxBytes:_:)`` did: where the next read starts, and the
/// partition's start and end offsets when it began (so a fetch answers them without asking again).
public struct PartitionRead: Sendable, Equatable {
    public var nextOffset: Int64
    public var startOffset: Int64
    public var endOffset: Int64

    public init(nextOffset: Int64, startOffset: Int64, endOffset: Int64) {
        self.nextOffset = nextOffset
        self.startOffset = startOffset
        self.endOffset = endOffset
    }
}

/// The offsets an append gave its records, in the order it was given them: one dense run on the embedded
/// engine; on a shared Kafka partition other producers' records may fall between them.
public struct AppendedOffsets: Sendable, Equatable {
    private enum Storage: Sendable, Equatable {
        case run(base: Int64, count: Int)
        case list([Int64])
    }

    private let storage: Storage

    /// `count` consecutive offsets from `base`.
    public static func run(base: Int64, count: Int) -> AppendedOffsets {
        AppendedOffsets(storage: .run(base: base, count: count))
    }

    /// These offsets, one per record.
    public init(_ offsets: [Int64]) { storage = .list(offsets) }

    private init(storage: Storage) { self.storage = storage }

    public var count: Int {
        switch storage {
        case .run(_, let count): count
        case .list(let offsets): offsets.count
        }
    }

    /// The offset of record `index` (0-based, in append order).
    public subscript(index: Int) -> Int64 {
        switch storage {
        case .run(let base, _): base + Int64(index)
        case .list(let offsets): offsets[index]
        }
    }
}
