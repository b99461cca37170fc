/// Records an append copies straight into the segment: every key, value, header name and header value is a
/// range of one contiguous byte buffer, so a record is copied once, from the caller's buffer into the mapping.
///
/// The encoder reads a source inside the partition's append lock; a conformance must be cheap to read and not
/// take locks. ``RecordBuffer`` is the general conformance (``RecordInput`` arrays go through it).
public protocol RecordSource {
    /// The number of records (the batch's size); at least one for an append.
    var recordCount: Int { get }
    /// Record `index`'s timestamp (ms since the Unix epoch), stored as given.
    func timestamp(ofRecord index: Int) -> Int64
    /// Record `index`'s key bytes, or nil for no key.
    func key(ofRecord index: Int) -> Range<Int>?
    /// Record `index`'s value bytes, or nil for a tombstone.
    func value(ofRecord index: Int) -> Range<Int>?
    /// Whether record `index`'s value is opaque bytes rather than JSON text (stored as a record flag; see
    /// ``RecordBatchFormat``).
    func isRawValue(ofRecord index: Int) -> Bool
    /// How many headers record `index` has.
    func headerCount(ofRecord index: Int) -> Int
    /// Header `header` (0-based) of record `index`: its name (UTF-8) and value bytes.
    func header(_ header: Int, ofRecord index: Int) -> (name: Range<Int>, value: Range<Int>)
    /// Calls `body` with the buffer every range above points into.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result
}

/// Records laid out in one byte buffer: the ``RecordSource`` for callers that build records one by one.
/// Value type.
public struct RecordBuffer: RecordSource, Sendable {
    struct Entry: Sendable {
        var key: Range<Int>?
        var value: Range<Int>?
        var headers: Range<Int>
        var timestamp: Int64
        var isRawValue: Bool
    }

    var bytes: [UInt8] = []
    var entries: [Entry] = []
    var headers: [(name: Range<Int>, value: Range<Int>)] = []

    public init() {}

    /// The records of `records`, in order.
    public init(_ records: [RecordInput]) {
        entries.reserveCapacity(records.count)
        for record in records {
            append(
                key: record.key, value: record.value, headers: record.headers.map { (Array($0.name.utf8), $0.value) },
                timestamp: record.timestamp, isRawValue: record.isRawValue)
        }
    }

    /// Adds one record.
    public mutating func append(
        key: [UInt8]?, value: [UInt8]?, headers: [(name: [UInt8], value: [UInt8])] = [], timestamp: Int64,
        isRawValue: Bool = false
    ) {
        let firstHeader = self.headers.count
        var keyRange: Range<Int>?
        if let key { keyRange = store(key) }
        var valueRange: Range<Int>?
        if let value { valueRange = store(value) }
        for header in headers { self.headers.append((store(header.name), store(header.value))) }
        entries.append(
            Entry(
                key: keyRange, value: valueRange, headers: firstHeader..<self.headers.count, timestamp: timestamp,
                isRawValue: isRawValue))
    }

    private mutating func store(_ data: [UInt8]) -> Range<Int> {
        let start = bytes.count
        bytes.append(contentsOf: data)
        return start..<bytes.count
    }

    public var recordCount: Int { entries.count }
    public func timestamp(ofRecord index: Int) -> Int64 { entries[index].timestamp }
    public func key(ofRecord index: Int) -> Range<Int>? { entries[index].key }
    public func value(ofRecord index: Int) -> Range<Int>? { entries[index].value }
    public func isRawValue(ofRecord index: Int) -> Bool { entries[index].isRawValue }
    public func headerCount(ofRecord index: Int) -> Int { entries[index].headers.count }
    public func header(_ header: Int, ofRecord index: Int) -> (name: Range<Int>, value: Range<Int>) {
        headers[entries[index].headers.lowerBound + header]
    }
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        bytes.withUnsafeBytes(body)
    }
}
