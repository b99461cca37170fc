/// One header of a record: a UTF-8 name and a byte value. Names may repeat; order is kept.
public struct RecordHeader: Sendable, Equatable, Hashable {
    public var name: String
    public var value: [UInt8]

    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }

    /// A header whose value is the UTF-8 bytes of `value`.
    public init(name: String, value: String) {
        self.name = name
        self.value = Array(value.utf8)
    }
}

/// A record to append. `nil` key means "no key"; `nil` value is a tombstone, distinct from an empty value.
///
/// Value type; the log copies its bytes into the segment during `append`, so the caller may reuse it.
public struct RecordInput: Sendable, Equatable, Hashable {
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [RecordHeader]
    /// Milliseconds since the Unix epoch (stored as given).
    public var timestamp: Int64
    /// Whether the value is opaque bytes rather than JSON text (a record flag, see ``RecordBatchFormat``).
    public var isRawValue: Bool

    public init(
        key: [UInt8]? = nil, value: [UInt8]?, headers: [RecordHeader] = [], timestamp: Int64, isRawValue: Bool = false
    ) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
        self.isRawValue = isRawValue
    }
}

/// What an append assigned: the batch's offsets `baseOffset...lastOffset` (dense) and its timestamps.
public struct AppendResult: Sendable, Equatable, Hashable {
    /// The offset of the first record.
    public let baseOffset: Int64
    /// The offset of the last record (`baseOffset + count - 1`).
    public let lastOffset: Int64
    /// The first record's timestamp.
    public let firstTimestamp: Int64
    /// The largest timestamp in the batch.
    public let maxTimestamp: Int64

    public init(baseOffset: Int64, lastOffset: Int64, firstTimestamp: Int64, maxTimestamp: Int64) {
        self.baseOffset = baseOffset
        self.lastOffset = lastOffset
        self.firstTimestamp = firstTimestamp
        self.maxTimestamp = maxTimestamp
    }

    /// The number of records in the batch.
    public var count: Int { Int(lastOffset - baseOffset + 1) }
}
