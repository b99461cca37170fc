import FerryLog

/// The records of a ``ProduceBatch`` going to one partition, as the log's ``RecordSource``: the log copies
/// keys, values and headers straight from the batch's buffer into the segment (no copy per record on the way).
struct ProduceBatchRecords: RecordSource {
    let batch: ProduceBatch
    /// Which of the batch's records, in order.
    let indices: [Int]
    /// Their timestamps (`indices.count` of them).
    let timestamps: [Int64]

    var recordCount: Int { indices.count }
    func timestamp(ofRecord index: Int) -> Int64 { timestamps[index] }
    func key(ofRecord index: Int) -> Range<Int>? { batch.records[indices[index]].key }
    func value(ofRecord index: Int) -> Range<Int>? { batch.records[indices[index]].value }
    func isRawValue(ofRecord index: Int) -> Bool {
        let record = batch.records[indices[index]]
        return record.valueFormat == .raw && record.value != nil
    }
    func headerCount(ofRecord index: Int) -> Int { batch.records[indices[index]].headers.count }
    func header(_ header: Int, ofRecord index: Int) -> (name: Range<Int>, value: Range<Int>) {
        let stored = batch.headers[batch.records[indices[index]].headers.lowerBound + header]
        return (stored.name, stored.value)
    }
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        batch.bytes.withUnsafeBytes(body)
    }
}
