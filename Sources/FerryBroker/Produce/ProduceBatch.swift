/// The records of one produce request, packed into one byte buffer (no allocation per record).
///
/// Built by the REST layer while it parses a request, then partitioned and appended by the broker.
/// A value type; not shared between threads while being built.
public struct ProduceBatch: Sendable {
    /// One record: ranges into ``bytes`` and ``headers``.
    public struct Record: Sendable {
        public var key: Range<Int>?
        /// nil for a JSON `null` value (tombstone).
        public var value: Range<Int>?
        public var valueFormat: ValueFormat
        public var headers: Range<Int>
        /// The partition the client asked for, or nil.
        public var partition: Int?
        /// The timestamp the client gave (ms), or nil for "now".
        public var timestamp: Int64?

        public init(
            key: Range<Int>?, value: Range<Int>?, valueFormat: ValueFormat, headers: Range<Int>, partition: Int?,
            timestamp: Int64?
        ) {
            self.key = key
            self.value = value
            self.valueFormat = valueFormat
            self.headers = headers
            self.partition = partition
            self.timestamp = timestamp
        }
    }

    public struct Header: Sendable {
        public var name: Range<Int>
        public var value: Range<Int>
    }

    public var bytes: [UInt8] = []
    public var records: [Record] = []
    public var headers: [Header] = []

    public init() {}

    /// Appends raw bytes to ``bytes`` and returns their range.
    @inlinable
    public mutating func store<Bytes: Collection<UInt8>>(_ data: Bytes) -> Range<Int> {
        let start = bytes.count
        bytes.append(contentsOf: data)
        return start..<bytes.count
    }

    /// Adds a header to ``headers``, returning its index.
    public mutating func addHeader(name: Range<Int>, value: Range<Int>) -> Int {
        headers.append(Header(name: name, value: value))
        return headers.count - 1
    }

    /// The stored size of record `index`: key + value + header names and values.
    public func size(of index: Int) -> Int {
        let record = records[index]
        var total = (record.key?.count ?? 0) + (record.value?.count ?? 0)
        for header in headers[record.headers] { total += header.name.count + header.value.count }
        return total
    }
}
