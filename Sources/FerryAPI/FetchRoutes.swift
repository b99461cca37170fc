import FerryBroker
import FerryHTTP
import FerryJSON
import FerryMessageJSON
import Synchronization

/// The limits of one fetch, parsed from the query (API.md "Fetch by offset").
struct FetchLimits {
    var limit: Int
    var maxBytes: Int
    var waitMilliseconds: Int
    var base64: Bool

    init(_ request: HTTPRequest) throws(APIFailure) {
        limit = Int(try request.integerQuery("limit", in: 1...10_000, default: 100))
        maxBytes = Int(try request.integerQuery("max_bytes", in: 1...67_108_864, default: 1_048_576))
        waitMilliseconds = Int(try request.integerQuery("wait_ms", in: 0...60_000, default: 0))
        switch request.query("encoding") {
        case nil: base64 = false
        case "base64": base64 = true
        case let other?: throw .parameter("encoding", "must be 'base64', got '\(other)'")
        }
    }
}

/// `GET /v1/topics/{topic}/partitions/{partition}/messages` (JSON, long-poll, or Server-Sent Events).
extension FerryAPI {
    func addFetchRoutes(to router: inout Router) {
        router.add(.GET, "/v1/topics/{topic}/partitions/{partition}/messages", needs: .consume(.topic)) {
            [self] request, responder in
            guarded(responder) { () throws(APIFailure) in try fetch(request, responder) }
        }
    }

    func fetch(_ request: HTTPRequest, _ responder: HTTPResponder) throws(APIFailure) {
        let topic = request.pathParameter("topic") ?? ""
        let partition = try request.partitionParameter()
        let limits = try FetchLimits(request)
        let storage: any PartitionStorage = try APIFailure.mapping { () throws(BrokerError) in
            try broker.partition(topic: topic, partition: partition)
        }
        let bounds = storage.bounds
        switch try fetchOrigin(request, bounds: bounds) {
        case .offset(let start):
            serveFetch(request, responder, storage: storage, bounds: bounds, from: start, limits: limits)
        case .timestamp(let timestamp):
            // A lookup that may take a round trip (Kafka): the answer continues on the thread it arrives on.
            storage.offset(atOrAfterTimestamp: timestamp) { [self] result in
                switch result {
                case .success(let start):
                    serveFetch(request, responder, storage: storage, bounds: bounds, from: start, limits: limits)
                case .failure(let error):
                    responder.respond(ProblemMapping.response(for: error))
                }
            }
        }
    }

    /// Answers a fetch from `start`: a stream of Server-Sent Events, or one JSON answer (held up to `wait_ms`
    /// when there is nothing yet).
    func serveFetch(
        _ request: HTTPRequest, _ responder: HTTPResponder, storage: any PartitionStorage, bounds: PartitionBounds,
        from start: Int64, limits: FetchLimits
    ) {
        let topic = request.pathParameter("topic") ?? ""
        let partition = (try? request.partitionParameter()) ?? 0
        if request.headers["Accept"]?.contains("text/event-stream") == true {
            return ServerSentEvents.start(
                api: self, responder: responder, topic: topic, partition: partition, storage: storage,
                from: start, lastEventID: request.lastEventID, limits: limits)
        }
        readPartition(storage, bounds: bounds, topic: topic, partition: partition, from: start, limits: limits) {
            [self] first in
            guard case .success(let answer) = first, answer.count == 0, limits.waitMilliseconds > 0 else {
                responder.respond(Self.response(first))
                return
            }
            let wakeup = Wakeup(timers: timers) { [self] _ in
                readPartition(
                    storage, bounds: storage.bounds, topic: topic, partition: partition, from: start, limits: limits
                ) { answer in responder.respond(Self.response(answer)) }
            }
            hold(wakeup, responder: responder, waitMilliseconds: limits.waitMilliseconds, on: [(storage, start)])
        }
    }

    /// A fetch answer as the response: 200 with the body, or the problem.
    static func response(_ answer: Result<(body: [UInt8], count: Int), APIFailure>) -> HTTPResponse {
        switch answer {
        case .success(let answer): .json(answer.body)
        case .failure(let failure): failure.response
        }
    }

    /// Parks a request: `wakeup` fires on the first append past each `(storage, offset)`, at the deadline, or
    /// (as `.cancelled`) when the client goes away or the server shuts down.
    func hold(
        _ wakeup: Wakeup, responder: HTTPResponder, waitMilliseconds: Int,
        on partitions: [(storage: any PartitionStorage, offset: Int64)]
    ) {
        held.track(wakeup)
        for (storage, offset) in partitions {
            let token = storage.waitForAppend(after: offset) { wakeup.fire(.data) }
            wakeup.onFire { storage.cancelWait(token) }
        }
        responder.onClose { wakeup.fire(.cancelled) }
        wakeup.fire(after: waitMilliseconds)
    }

    /// Where a fetch starts, as the query says.
    enum FetchOrigin {
        /// An offset checked against the bounds.
        case offset(Int64)
        /// The first message at or after this time (resolved by the storage).
        case timestamp(Int64)
    }

    /// `offset` (−1 = end), `timestamp`, or the start offset; 416 outside `bounds`, the partition's as of now.
    func fetchOrigin(_ request: HTTPRequest, bounds: PartitionBounds) throws(APIFailure) -> FetchOrigin {
        let startOffset = bounds.startOffset
        let endOffset = bounds.endOffset
        if request.query("timestamp") != nil && request.query("offset") != nil {
            throw .parameter("timestamp", "give either offset or timestamp, not both")
        }
        if let timestamp = try request.integerQuery("timestamp", in: 0...Int64.max) {
            return .timestamp(timestamp)
        }
        guard let offset = try request.integerQuery("offset", in: -1...Int64.max) else { return .offset(startOffset) }
        if offset == -1 { return .offset(endOffset) }
        guard offset >= startOffset && offset <= endOffset else {
            throw APIFailure(
                BrokerError.offsetOutOfRange(requested: offset, startOffset: startOffset, endOffset: endOffset))
        }
        return .offset(offset)
    }

    /// Reads and encodes `{"messages": [...], "next_offset", "start_offset", "end_offset"}`, then calls
    /// `completion` (where the read completes: at once for the embedded engine). `bounds` (the partition's,
    /// recently) sizes the buffer; the read itself reports the bounds answered.
    func readPartition(
        _ storage: any PartitionStorage, bounds: PartitionBounds, topic: String, partition: Int, from offset: Int64,
        limits: FetchLimits, completion: @escaping @Sendable (Result<(body: [UInt8], count: Int), APIFailure>) -> Void
    ) {
        let capacity = Self.estimatedFetchBytes(bounds, from: offset, limits: limits, topic: topic)
        storage.read(from: offset, maxMessages: limits.limit, maxBytes: limits.maxBytes) { result in
            switch result {
            case .failure(let error):
                completion(.failure(APIFailure(error)))
            case .success(let batch):
                var writer = JSONWriter(capacity: capacity)
                writer.beginObject()
                writer.key(ascii: "messages")
                writer.beginArray()
                batch.forEach { message in
                    MessageEncoding.write(
                        message, topic: topic, partition: partition, base64: limits.base64, into: &writer)
                }
                writer.endArray()
                writer.key(ascii: "next_offset")
                writer.int64(batch.position.nextOffset)
                writer.key(ascii: "start_offset")
                writer.int64(batch.position.startOffset)
                writer.key(ascii: "end_offset")
                writer.int64(batch.position.endOffset)
                writer.endObject()
                completion(.success((writer.take(), batch.count)))
            }
        }
    }

    /// A response-size estimate from the partition's average stored record size, so the buffer is allocated
    /// once instead of doubling from 4 KiB to megabytes (which cost ~a third of fetch CPU). Bounded by the
    /// request's `max_bytes` plus per-message framing.
    static func estimatedFetchBytes(
        _ bounds: PartitionBounds, from offset: Int64, limits: FetchLimits, topic: String
    ) -> Int {
        let start = bounds.startOffset
        let end = bounds.endOffset
        let available = Int(max(0, min(Int64(limits.limit), end - offset)))
        guard available > 0 else { return 256 }
        // Without a stored size (Kafka), 256 bytes a message, the buffer grows past it when needed.
        let average = Int((bounds.sizeInBytes ?? 256 * (end - start)) / max(1, end - start))
        let framing = 96 + topic.utf8.count
        return 128 + min(available * (average + framing), limits.maxBytes + available * framing)
    }
}
