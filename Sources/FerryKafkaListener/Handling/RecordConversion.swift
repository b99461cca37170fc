import FerryBroker
import FerryKafkaWire

/// Between Kafka record batches and Ferry's stored messages.
enum RecordConversion {
    /// The records of decoded producer batches as one ``ProduceBatch`` (raw values, the producer's timestamps;
    /// a null header value is stored as an empty one). Control batches (transaction markers) carry no messages
    /// and are skipped.
    static func produceBatch(from batches: [KafkaDecodedBatch]) -> ProduceBatch {
        var batch = ProduceBatch()
        let total = batches.reduce(0) { $0 + $1.records.count }
        batch.records.reserveCapacity(total)
        for decoded in batches where !decoded.isControl {
            let payload = decoded.payload
            for record in decoded.records {
                let key = record.key.map { batch.store(payload[$0]) }
                let value = record.value.map { batch.store(payload[$0]) }
                let firstHeader = batch.headers.count
                for header in record.headers {
                    let name = batch.store(payload[header.name])
                    let value = header.value.map { batch.store(payload[$0]) } ?? batch.bytes.count..<batch.bytes.count
                    _ = batch.addHeader(name: name, value: value)
                }
                batch.records.append(
                    ProduceBatch.Record(
                        key: key, value: value, valueFormat: .raw, headers: firstHeader..<batch.headers.count,
                        partition: nil, timestamp: record.timestamp))
            }
        }
        return batch
    }

    /// Appends the messages of `stored` to `encoder` (one record batch per read).
    static func append(_ stored: any StoredBatch, to encoder: inout KafkaRecordBatchEncoder) {
        stored.forEach { message in
            encoder.append(
                offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value,
                headers: message.headers)
        }
    }
}
