import FerryBroker
import FerryKafka

/// Records fetched from a Kafka partition, packed into one buffer: key, value and header bytes as ranges of it.
struct KafkaStoredBatch: StoredBatch {
    struct Message: Sendable {
        var offset: Int64
        var timestamp: Int64
        var key: Range<Int>?
        var value: Range<Int>?
        var format: ValueFormat
        var headers: [(name: Range<Int>, value: Range<Int>)]
    }

    let bytes: [UInt8]
    let messages: [Message]
    let position: PartitionRead
    var count: Int { messages.count }

    /// Packs `records` (the format header taken out of the headers), keeping whole records while their key +
    /// value bytes stay within `maxBytes` (the first one always). `bounds` are the partition's when read.
    init(records: [KafkaRecord], from offset: Int64, maxBytes: Int, bounds: PartitionBounds) {
        var bytes: [UInt8] = []
        var messages: [Message] = []
        var payload = 0
        func store(_ data: [UInt8]) -> Range<Int> {
            let start = bytes.count
            bytes.append(contentsOf: data)
            return start..<bytes.count
        }
        for record in records {
            let size = (record.key?.count ?? 0) + (record.value?.count ?? 0)
            if !messages.isEmpty && payload + size > maxBytes { break }
            payload += size
            var formatHeader: [UInt8]?
            var headers: [(name: Range<Int>, value: Range<Int>)] = []
            for header in record.headers {
                if header.name == ValueFormatHeader.name && formatHeader == nil {
                    formatHeader = header.value ?? []
                    continue
                }
                headers.append((store(Array(header.name.utf8)), store(header.value ?? [])))
            }
            messages.append(
                Message(
                    offset: record.offset, timestamp: record.timestampMilliseconds, key: record.key.map(store),
                    value: record.value.map(store),
                    format: ValueFormatHeader.format(header: formatHeader, value: record.value), headers: headers))
        }
        self.bytes = bytes
        self.messages = messages
        self.position = PartitionRead(
            nextOffset: messages.last.map { $0.offset + 1 } ?? offset, startOffset: bounds.startOffset,
            endOffset: max(bounds.endOffset, messages.last.map { $0.offset + 1 } ?? 0))
    }

    func forEach(_ visit: (borrowing StoredMessage) -> Void) {
        bytes.withUnsafeBytes { buffer in
            func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: buffer[range])
            }
            for message in messages {
                visit(
                    StoredMessage(
                        offset: message.offset, timestamp: message.timestamp, key: message.key.map(slice),
                        value: message.value.map(slice), valueFormat: message.format,
                        headers: message.headers.map { (slice($0.name), slice($0.value)) }))
            }
        }
    }
}
