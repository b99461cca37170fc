import FerryBroker
import FerryLog
import FerryTesting
import Logging
import Synchronization
import Testing

/// How the embedded engine keeps a value's format: the record's raw flag, and the empty-named marker header of
/// data written before it.
struct ValueFormatStorageTests {
    struct Read: Equatable {
        var format: ValueFormat
        var headers: [String]
        var value: String?
    }

    func readAll(_ storage: any PartitionStorage) throws -> [Read] {
        var reads: [Read] = []
        try storage.readNow(from: 0, maxMessages: 100, maxBytes: 1 << 20).forEach { message in
            reads.append(
                Read(
                    format: message.valueFormat,
                    headers: message.headers.map { String(decoding: $0.name, as: UTF8.self) },
                    value: message.value.map { String(decoding: $0, as: UTF8.self) }))
        }
        return reads
    }

    @Test func rawAndJSONValues_ComeBackInTheirFormat_WithOnlyTheUsersHeaders() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let engine = try EmbeddedStorageEngine(
            dataDirectory: directory.path, flushPolicy: .never, logger: Logger(label: "test"))
        defer { engine.shutdown() }
        let broker = try Broker(storage: engine, now: { 1 })
        try broker.createTopic(name: "t")
        var batch = ProduceBatch()
        let header = batch.addHeader(name: batch.store("h".utf8), value: batch.store("v".utf8))
        batch.records.append(
            .init(
                key: nil, value: batch.store("raw".utf8), valueFormat: .raw, headers: header..<(header + 1),
                partition: 0, timestamp: nil))
        batch.records.append(
            .init(
                key: nil, value: batch.store("1".utf8), valueFormat: .json, headers: 0..<0, partition: 0, timestamp: nil
            ))
        batch.records.append(
            .init(
                key: nil, value: batch.store("r".utf8), valueFormat: .raw, headers: 0..<0, partition: 0, timestamp: nil)
        )
        try broker.produce(topic: "t", batch: batch) { _ in }
        // Written before the raw flag existed: the marker header, alone or before the user's headers.
        let log = try #require(engine.manager.partition(topic: "t", partition: 0))
        let marker = RecordHeader(name: "", value: [])
        try log.append([
            RecordInput(value: Array("old".utf8), headers: [marker], timestamp: 1),
            RecordInput(
                value: Array("old2".utf8), headers: [marker, RecordHeader(name: "h", value: "v")], timestamp: 1),
        ])

        let reads = try readAll(try broker.partition(topic: "t", partition: 0))
        #expect(
            reads == [
                Read(format: .raw, headers: ["h"], value: "raw"), Read(format: .json, headers: [], value: "1"),
                Read(format: .raw, headers: [], value: "r"), Read(format: .raw, headers: [], value: "old"),
                Read(format: .raw, headers: ["h"], value: "old2"),
            ])
        // The flag costs no header on disk: a raw value takes as many bytes as a JSON one of the same size.
        let stored = try log.read(from: 1, maxRecords: 2).records
        #expect(stored.map(\.headerCount) == [0, 0] && stored[0].sizeInBytes == stored[1].sizeInBytes)
    }
}
