import FerrySystem

/// A read-only view of bytes inside a mapped segment (a key, a value or a header value). No copy is made.
///
/// Keeps the mapping alive (it holds a reference to it), so the view stays valid after the segment is
/// deleted by retention or evicted from the mapping cache. The bytes never change: a log only appends.
public struct RecordBytes: RandomAccessCollection, Sendable, Equatable, Hashable, CustomStringConvertible {
    private let owner: MappedRegion
    /// Where the bytes start in `owner` (a position, not a pointer: raw pointers are not Sendable).
    private let position: Int
    public let count: Int

    init(owner: MappedRegion, pointer: UnsafeRawPointer, count: Int) {
        self.owner = owner
        self.position = UnsafeRawPointer(owner.base).distance(to: pointer)
        self.count = count
    }

    private var start: UnsafeRawPointer { UnsafeRawPointer(owner.base) + position }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "RecordBytes index \(position) out of 0..<\(count)")
        return start.load(fromByteOffset: position, as: UInt8.self)
    }

    /// Calls `body` with the bytes in place. The pointer must not escape `body`.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: start, count: count))
    }

    public func withContiguousStorageIfAvailable<Result>(
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result? {
        try body(UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count))
    }

    /// A copy of the bytes.
    public var array: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The bytes decoded as UTF-8 (invalid sequences become U+FFFD).
    public var string: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    public var description: String { "RecordBytes(\(count) bytes)" }

    public static func == (lhs: RecordBytes, rhs: RecordBytes) -> Bool {
        lhs.count == rhs.count && lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in a.elementsEqual(b) } }
    }

    public func hash(into hasher: inout Hasher) { withUnsafeBytes { hasher.combine(bytes: $0) } }
}

/// One record returned by ``PartitionLog/read(from:maxRecords:maxBytes:)``: a validated view into a segment.
///
/// Its batch passed the CRC check and all its lengths were bounds-checked before it was returned.
/// Holding it keeps the underlying mapping alive (see ``RecordBytes``). `Sendable`; immutable.
public struct ReadRecord: Sendable, CustomStringConvertible {
    private let owner: MappedRegion
    /// Where the record starts in `owner` (see ``RecordBytes``).
    private let position: Int
    /// The record's offset.
    public let offset: Int64
    /// The record's timestamp (ms since the Unix epoch).
    public let timestamp: Int64
    private let keyLength: Int32
    private let valueLength: Int32
    /// The number of headers.
    public let headerCount: Int
    /// Whether the value was appended as opaque bytes rather than JSON text (``RecordInput/isRawValue``).
    public let isRawValue: Bool
    /// The encoded size of the record in the log (header, key, value and headers).
    public let sizeInBytes: Int

    init(
        owner: MappedRegion, pointer: UnsafeRawPointer, offset: Int64, timestamp: Int64,
        keyLength: Int32, valueLength: Int32, headerCount: Int, isRawValue: Bool, size: Int
    ) {
        self.owner = owner
        self.position = UnsafeRawPointer(owner.base).distance(to: pointer)
        self.offset = offset
        self.timestamp = timestamp
        self.keyLength = keyLength
        self.valueLength = valueLength
        self.headerCount = headerCount
        self.isRawValue = isRawValue
        self.sizeInBytes = size
    }

    private var pointer: UnsafeRawPointer { UnsafeRawPointer(owner.base) + position }

    /// The key (nil: the record has no key; empty: an empty key).
    public var key: RecordBytes? {
        keyLength < 0
            ? nil
            : RecordBytes(
                owner: owner, pointer: pointer + RecordBatchFormat.recordHeaderSize,
                count: Int(keyLength))
    }

    /// The value (nil: a tombstone; empty: an empty value).
    public var value: RecordBytes? {
        valueLength < 0 ? nil : RecordBytes(owner: owner, pointer: pointer + valueStart, count: Int(valueLength))
    }

    /// Key bytes plus value bytes as stored (what fetch `max_bytes` counts).
    public var payloadBytes: Int { max(0, Int(keyLength)) + max(0, Int(valueLength)) }

    /// The key's bytes in the mapping, or nil for a null key, without retaining the mapping: valid only while
    /// this record (or another holder of its mapping) is alive. For hot loops that borrow the record.
    public var unsafeKey: UnsafeRawBufferPointer? {
        keyLength < 0
            ? nil : UnsafeRawBufferPointer(start: pointer + RecordBatchFormat.recordHeaderSize, count: Int(keyLength))
    }

    /// The value's bytes in the mapping, or nil for a null value; see ``unsafeKey``.
    public var unsafeValue: UnsafeRawBufferPointer? {
        valueLength < 0 ? nil : UnsafeRawBufferPointer(start: pointer + valueStart, count: Int(valueLength))
    }

    private var valueStart: Int { RecordBatchFormat.recordHeaderSize + max(0, Int(keyLength)) }

    /// The headers in stored order (names decoded as UTF-8; values are views).
    public var headers: [(name: String, value: RecordBytes)] {
        var result: [(name: String, value: RecordBytes)] = []
        result.reserveCapacity(headerCount)
        var cursor = valueStart + max(0, Int(valueLength))
        let base = pointer
        for _ in 0..<headerCount {
            let nameLength = Int(base.u16(cursor))
            let name = String(
                decoding: UnsafeRawBufferPointer(start: base + cursor + 2, count: nameLength), as: UTF8.self)
            cursor += 2 + nameLength
            let length = Int(base.u32(cursor))
            result.append((name, RecordBytes(owner: owner, pointer: base + cursor + 4, count: length)))
            cursor += 4 + length
        }
        return result
    }

    /// The headers copied into ``RecordHeader`` values.
    public var recordHeaders: [RecordHeader] { headers.map { RecordHeader(name: $0.name, value: $0.value.array) } }

    public var description: String {
        "ReadRecord(offset: \(offset), timestamp: \(timestamp), key: \(keyLength) bytes, value: \(valueLength) bytes, headers: \(headerCount))"
    }
}

/// The result of a read: the records (possibly none) and the log's bounds when the read started.
public struct ReadBatch: Sendable {
    /// Records in offset order, dense, starting at the requested offset.
    public let records: [ReadRecord]
    /// The offset to read next (`records.last.offset + 1`, or the requested offset when empty).
    public let nextOffset: Int64
    /// The log start offset when the read began.
    public let logStartOffset: Int64
    /// The log end offset (`nextOffset` of the log) when the read began.
    public let logEndOffset: Int64
}
