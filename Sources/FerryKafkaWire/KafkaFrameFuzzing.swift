/// Entry point for the libFuzzer target and randomized tests: cuts arbitrary bytes into request frames exactly
/// as the Kafka-protocol listener does, decodes each header, then each body with its API's request decoder, and
/// the record sets of a Produce with ``KafkaRecordBatchDecoder``.
///
/// Never traps on any input: every malformed byte sequence must end in a refusal the listener would close the
/// connection for (a frame size outside `8...maxFrameBytes`, an unreadable header, an unsupported API or version,
/// a body that does not decode) or in a record-set failure (which only fails its partition). Returns counts.
public enum KafkaFrameFuzzing {
    /// What one run got through.
    public struct Outcome: Equatable, Sendable {
        /// Complete frames cut from the input (size prefix in range and the whole frame there).
        public var frames = 0
        /// Frames whose request header decoded.
        public var headers = 0
        /// Request bodies that decoded (an ApiVersions at an unsupported version counts: it is answered).
        public var requests = 0
        /// Record batches decoded inside Produce requests.
        public var recordBatches = 0
        /// Records in those batches.
        public var records = 0
        /// Produce record sets refused (bad CRC, old format, unsupported compression, malformed).
        public var refusedRecordSets = 0
        /// Why the listener would have closed the connection, if it would (nil: every frame was handled, and
        /// what is left is a partial frame it would wait for).
        public var closedBecause: String?

        public init() {}
    }

    /// Runs over `data` as the bytes a connection received.
    ///
    /// - Parameters:
    ///   - maxFrameBytes: the listener's `maxFrameBytes` (a size prefix above it closes the connection).
    ///   - maxDecompressedBytes: what a gzip record set may inflate to (the handler allows 128 MiB; keep it small
    ///     when fuzzing).
    public static func run(
        _ data: UnsafeRawBufferPointer, maxFrameBytes: Int = 1 << 20, maxDecompressedBytes: Int = 1 << 20
    ) -> Outcome {
        run(Array(data), maxFrameBytes: maxFrameBytes, maxDecompressedBytes: maxDecompressedBytes)
    }

    /// Runs over `input` as the bytes a connection received.
    public static func run(_ input: [UInt8], maxFrameBytes: Int = 1 << 20, maxDecompressedBytes: Int = 1 << 20)
        -> Outcome
    {
        var outcome = Outcome()
        var consumed = 0
        while input.count - consumed >= 4 {
            let size =
                Int(input[consumed]) << 24 | Int(input[consumed + 1]) << 16 | Int(input[consumed + 2]) << 8
                | Int(input[consumed + 3])
            guard size >= 8, size <= maxFrameBytes else {
                outcome.closedBecause = "frame size \(size) outside 8...\(maxFrameBytes)"
                return outcome
            }
            guard input.count - consumed - 4 >= size else { break }
            let start = consumed + 4
            consumed = start + size
            outcome.frames += 1
            var reader = KafkaReader(input, from: start, end: consumed)
            if let reason = handle(&reader, &outcome, maxDecompressedBytes: maxDecompressedBytes) {
                outcome.closedBecause = reason
                return outcome
            }
        }
        return outcome
    }

    /// One frame (without its size prefix): nil when handled, else why the connection would close.
    private static func handle(_ reader: inout KafkaReader, _ outcome: inout Outcome, maxDecompressedBytes: Int)
        -> String?
    {
        let header: KafkaRequestHeader
        do {
            header = try KafkaRequestHeader.decode(&reader)
        } catch {
            return "unreadable request header: \(error)"
        }
        outcome.headers += 1
        guard let api = header.api, api.supportedVersions.contains(header.apiVersion) else {
            if header.apiKey == KafkaAPIKey.apiVersions.rawValue {
                outcome.requests += 1  // answered with v0 and UNSUPPORTED_VERSION
                return nil
            }
            return "unsupported request \(header.apiKey) v\(header.apiVersion)"
        }
        do {
            try decodeBody(
                api, version: header.apiVersion, &reader, &outcome, maxDecompressedBytes: maxDecompressedBytes)
        } catch {
            return "malformed \(api) v\(header.apiVersion): \(error)"
        }
        outcome.requests += 1
        return nil
    }

    private static func decodeBody(
        _ api: KafkaAPIKey, version: Int16, _ reader: inout KafkaReader, _ outcome: inout Outcome,
        maxDecompressedBytes: Int
    ) throws(KafkaWireError) {
        switch api {
        case .produce:
            let request = try ProduceRequest.decode(&reader, version: version)
            for topic in request.topics {
                for partition in topic.partitions {
                    do {
                        let batches = try KafkaRecordBatchDecoder.decode(
                            partition.records ?? [], maxDecompressedBytes: maxDecompressedBytes)
                        outcome.recordBatches += batches.count
                        for batch in batches {
                            outcome.records += batch.records.count
                            touch(batch)
                        }
                    } catch {
                        outcome.refusedRecordSets += 1
                    }
                }
            }
        case .fetch: _ = try FetchRequest.decode(&reader, version: version)
        case .listOffsets: _ = try ListOffsetsRequest.decode(&reader, version: version)
        case .metadata: _ = try MetadataRequest.decode(&reader, version: version)
        case .offsetCommit: _ = try OffsetCommitRequest.decode(&reader, version: version)
        case .offsetFetch: _ = try OffsetFetchRequest.decode(&reader, version: version)
        case .findCoordinator: _ = try FindCoordinatorRequest.decode(&reader, version: version)
        case .joinGroup: _ = try JoinGroupRequest.decode(&reader, version: version)
        case .heartbeat: _ = try HeartbeatRequest.decode(&reader, version: version)
        case .leaveGroup: _ = try LeaveGroupRequest.decode(&reader, version: version)
        case .syncGroup: _ = try SyncGroupRequest.decode(&reader, version: version)
        case .describeGroups: _ = try DescribeGroupsRequest.decode(&reader, version: version)
        case .listGroups: _ = try ListGroupsRequest.decode(&reader, version: version)
        case .saslHandshake: _ = try SaslHandshakeRequest.decode(&reader, version: version)
        case .apiVersions: _ = try ApiVersionsRequest.decode(&reader, version: version)
        case .createTopics: _ = try CreateTopicsRequest.decode(&reader, version: version)
        case .deleteTopics: _ = try DeleteTopicsRequest.decode(&reader, version: version)
        case .initProducerId: _ = try InitProducerIdRequest.decode(&reader, version: version)
        case .createPartitions: _ = try CreatePartitionsRequest.decode(&reader, version: version)
        case .saslAuthenticate: _ = try SaslAuthenticateRequest.decode(&reader, version: version)
        }
    }

    /// Reads every range a decoded record points to, as the handler does when it stores the records: a range
    /// outside the payload traps here, under the fuzzer.
    private static func touch(_ batch: KafkaDecodedBatch) {
        var sum = 0
        for record in batch.records {
            if let key = record.key { sum &+= batch.payload[key].count }
            if let value = record.value { sum &+= batch.payload[value].count }
            for header in record.headers {
                sum &+= batch.payload[header.name].count
                if let value = header.value { sum &+= batch.payload[value].count }
            }
        }
        precondition(sum >= 0)
    }
}
