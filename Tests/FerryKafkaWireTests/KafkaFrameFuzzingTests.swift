import FerryKafkaWire
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ``KafkaFrameFuzzing`` over the seed frames of Fuzz/corpus/kafka and 20 000 random and mutated inputs made
/// from them by a seeded generator (the same cases on every run): nothing may trap.
@Suite("Kafka frame fuzzing")
struct KafkaFrameFuzzingTests {
    /// The seed frames, as the corpus files hold them.
    static let seeds: [(file: String, api: KafkaAPIKey, frame: [UInt8])] = {
        var batch = KafkaRecordBatchEncoder()
        let key = Array("key-1".utf8)
        let value = Array(#"{"id":1}"#.utf8)
        let headerName = Array("trace".utf8)
        let headerValue = Array("abc".utf8)
        key.withUnsafeBytes { key in
            value.withUnsafeBytes { value in
                headerName.withUnsafeBytes { name in
                    headerValue.withUnsafeBytes { header in
                        batch.append(
                            offset: 0, timestamp: 1_700_000_000_000, key: key, value: value,
                            headers: [(name: name, value: header)])
                    }
                }
            }
        }
        let records = batch.finish()
        func frame(_ api: KafkaAPIKey, _ version: Int16, _ encode: (inout KafkaWriter) -> Void) -> [UInt8] {
            KafkaRequestHeader(apiKey: api.rawValue, apiVersion: version, correlationID: 7, clientID: "seed")
                .frame(encode)
        }
        return [
            (
                "api-versions-v3", .apiVersions,
                frame(.apiVersions, 3) {
                    ApiVersionsRequest(clientSoftwareName: "librdkafka", clientSoftwareVersion: "2.3.0").encode(
                        &$0, version: 3)
                }
            ),
            (
                "metadata-v1", .metadata,
                frame(.metadata, 1) { MetadataRequest(topics: ["orders"]).encode(&$0, version: 1) }
            ),
            (
                "produce-v3", .produce,
                frame(.produce, 3) {
                    ProduceRequest(
                        acks: -1, timeoutMs: 30_000,
                        topics: [.init(name: "orders", partitions: [.init(index: 0, records: records)])]
                    ).encode(&$0, version: 3)
                }
            ),
            (
                "fetch-v11", .fetch,
                frame(.fetch, 11) {
                    FetchRequest(
                        maxWaitMs: 500, minBytes: 1, maxBytes: 52_428_800, sessionID: 0, sessionEpoch: -1,
                        topics: [
                            .init(
                                topic: "orders",
                                partitions: [.init(partition: 0, fetchOffset: 42, partitionMaxBytes: 1_048_576)])
                        ], rackID: ""
                    ).encode(&$0, version: 11)
                }
            ),
            (
                "join-group-v5", .joinGroup,
                frame(.joinGroup, 5) {
                    JoinGroupRequest(
                        groupID: "billing", sessionTimeoutMs: 45_000, rebalanceTimeoutMs: 300_000, memberID: "",
                        groupInstanceID: nil, protocolType: "consumer",
                        protocols: [.init(name: "range", metadata: [0, 1, 0, 0, 0, 1, 0, 6] + Array("orders".utf8))]
                    ).encode(&$0, version: 5)
                }
            ),
        ]
    }()

    static let corpusDirectory: String = {
        let file = "\(#filePath)"
        // Tests/FerryKafkaWireTests/KafkaFrameFuzzingTests.swift → the package root.
        var parts = file.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Fuzz/corpus/kafka"
    }()

    @Test("each seed frame decodes whole, and the corpus files hold exactly these frames")
    func seeds_DecodeAndMatchTheCorpus() throws {
        for seed in Self.seeds {
            let outcome = KafkaFrameFuzzing.run(seed.frame)
            #expect(outcome.frames == 1 && outcome.headers == 1 && outcome.requests == 1, "\(seed.file): \(outcome)")
            #expect(outcome.closedBecause == nil, "\(seed.file)")
            var reader = KafkaReader(seed.frame, from: 4)
            #expect(try KafkaRequestHeader.decode(&reader).api == seed.api)
            let file = try #require(readFile("\(Self.corpusDirectory)/\(seed.file)"), "\(seed.file) is missing")
            #expect(file == seed.frame, "\(seed.file) differs from the frame built here")
        }
        let produce = KafkaFrameFuzzing.run(Self.seeds[2].frame)
        #expect(produce.recordBatches == 1 && produce.records == 1 && produce.refusedRecordSets == 0)
        // All five back to back: one connection's worth.
        let all = KafkaFrameFuzzing.run(Self.seeds.flatMap(\.frame))
        #expect(all.frames == 5 && all.requests == 5 && all.closedBecause == nil)
    }

    @Test("the listener's refusals: size out of range, unreadable header, unsupported API, malformed body")
    func refusals() {
        #expect(KafkaFrameFuzzing.run([0x7F, 0xFF, 0xFF, 0xFF, 0, 0]).closedBecause != nil)
        #expect(KafkaFrameFuzzing.run([0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0]).closedBecause != nil)
        #expect(KafkaFrameFuzzing.run([0, 0, 0, 8, 0, 18, 0, 0, 0, 0, 0, 1]).closedBecause != nil)
        #expect(KafkaFrameFuzzing.run([0, 0, 0, 10, 0, 99, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF]).closedBecause != nil)
        let unsupportedApiVersions = KafkaFrameFuzzing.run([0, 0, 0, 11, 0, 18, 0, 99, 0, 0, 0, 1, 0xFF, 0xFF, 0])
        #expect(unsupportedApiVersions.requests == 1 && unsupportedApiVersions.closedBecause == nil)
        // A partial frame waits for more.
        let partial = KafkaFrameFuzzing.run(Array(Self.seeds[1].frame.dropLast()))
        #expect(partial.frames == 0 && partial.closedBecause == nil)
        // A Produce whose record set has a bad CRC fails its partition, not the connection.
        var produce = Self.seeds[2].frame
        produce[produce.count - 1] ^= 0xFF
        let refused = KafkaFrameFuzzing.run(produce)
        #expect(refused.requests == 1 && refused.refusedRecordSets == 1 && refused.closedBecause == nil)
    }

    @Test("20 000 random and mutated inputs never trap", .timeLimit(.minutes(3)))
    func randomAndMutatedInputs() {
        var random = SeededGenerator(seed: 0x4B41_464B_41)
        var totals = KafkaFrameFuzzing.Outcome()
        for iteration in 0..<20_000 {
            let input = Self.mutate(iteration: iteration, &random)
            let outcome = KafkaFrameFuzzing.run(input, maxFrameBytes: 1 << 16, maxDecompressedBytes: 1 << 16)
            #expect(outcome.headers <= outcome.frames && outcome.requests <= outcome.headers)
            totals.frames += outcome.frames
            totals.requests += outcome.requests
            totals.records += outcome.records
            totals.refusedRecordSets += outcome.refusedRecordSets
        }
        // The mutations reach the decoders: some inputs still decode, some record sets are refused.
        #expect(totals.requests > 1_000, "\(totals)")
        #expect(totals.records > 100, "\(totals)")
        #expect(totals.refusedRecordSets > 100, "\(totals)")
    }

    /// One fuzz input: random bytes, or seeds mutated (bit flips, interesting values, insertions, deletions,
    /// truncation, splices), often with the size prefix fixed up so the body decoders see the damage.
    static func mutate(iteration: Int, _ random: inout SeededGenerator) -> [UInt8] {
        if iteration % 10 == 0 {
            return (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        var bytes = seeds[Int.random(in: 0..<seeds.count, using: &random)].frame
        let interesting: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF]
        for _ in 0..<Int.random(in: 1...6, using: &random) where !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<8, using: &random) {
            case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
            case 1: bytes[at] = interesting[Int.random(in: 0..<interesting.count, using: &random)]
            case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
            case 3: bytes.remove(at: at)
            case 4: bytes.removeSubrange(Int.random(in: 0...bytes.count, using: &random)...)
            case 5:
                // A hostile 32-bit count or length somewhere.
                let word: [UInt8] = [[0x7F, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFF], [0x80, 0, 0, 0]][
                    Int.random(in: 0..<3, using: &random)]
                for (offset, byte) in word.enumerated() where at + offset < bytes.count { bytes[at + offset] = byte }
            case 6:
                let other = seeds[Int.random(in: 0..<seeds.count, using: &random)].frame
                let from = Int.random(in: 0..<other.count, using: &random)
                bytes.replaceSubrange(at..., with: other[from...])
            default:
                bytes += seeds[Int.random(in: 0..<seeds.count, using: &random)].frame
            }
        }
        if Bool.random(using: &random), bytes.count >= 4 {
            let size = UInt32(truncatingIfNeeded: bytes.count - 4)
            bytes.replaceSubrange(
                0..<4,
                with: [UInt8(size >> 24), UInt8((size >> 16) & 0xFF), UInt8((size >> 8) & 0xFF), UInt8(size & 0xFF)])
        }
        return bytes
    }
}

/// The bytes of a file, or nil when it cannot be read.
private func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n > 0 { bytes += chunk[0..<n] }
        if n < chunk.count { break }
    }
    return bytes
}
