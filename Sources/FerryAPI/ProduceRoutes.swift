import FerryBroker
import FerryHTTP
import FerryJSON
import Synchronization

/// `POST /v1/topics/{topic}/messages`.
extension FerryAPI {
    func addProduceRoutes(to router: inout Router) {
        router.add(.POST, "/v1/topics/{topic}/messages", needs: .produce(.topic)) { [self] request, responder in
            // A produce that may auto-create its topic waits for the cluster when topic admin does (Kafka).
            if let metadata = broker.metadata(of: request.pathParameter("topic") ?? "") {
                produce(request, responder, into: metadata)
            } else {
                offloadingTopicAdministration { [self] in produce(request, responder) }
            }
        }
    }

    /// `into`: the topic, when the caller has just looked it up (one lookup of its name per request).
    func produce(_ request: HTTPRequest, _ responder: HTTPResponder, into known: TopicMetadata? = nil) {
        let topic = request.pathParameter("topic") ?? ""
        guard let key = request.headers["Idempotency-Key"] else {
            return guarded(responder) { () throws(APIFailure) in
                try produce(topic: topic, request, into: known) { response in responder.respond(response) }
            }
        }
        guard key.utf8.count <= 255, !key.isEmpty else {
            responder.respond(
                ProblemMapping.response(
                    for: .invalidParameter(name: "Idempotency-Key", reason: "must be 1 to 255 bytes")))
            return
        }
        var fingerprint = FNV1a64()
        fingerprint.combine(request.mediaType ?? "")
        fingerprint.combine(request.rawQuery)
        fingerprint.combine(request.body)
        let cache: IdempotencyCache
        do throws(BrokerError) {
            cache = try broker.shard(for: .idempotency(topic: topic, key: key)).idempotency
        } catch {
            responder.respond(ProblemMapping.response(for: error))
            return
        }
        let decision = cache.begin(topic: topic, key: key, fingerprint: fingerprint.value) {
            [self] stored in
            if let stored {
                responder.respond(Self.replay(stored))
            } else {
                produce(request, responder)  // the first attempt failed without an answer: try for real
            }
        }
        switch decision {
        case .replay(let stored):
            responder.respond(Self.replay(stored))
        case .conflict:
            responder.respond(ProblemMapping.response(for: .idempotencyKeyReused(key)))
        case .waiting:
            break
        case .proceed(let reservation):
            do throws(APIFailure) {
                try produce(topic: topic, request, into: known) { response in
                    Self.remember(response, reservation, in: cache, responder)
                }
            } catch {
                Self.remember(error.response, reservation, in: cache, responder)
            }
        }
    }

    /// Answers a request that reserved its key: a 5xx is forgotten (the retry may succeed), anything else is
    /// remembered first (durably, so that a retry after a crash gets the same answer), then sent.
    static func remember(
        _ response: HTTPResponse, _ reservation: IdempotencyCache.Reservation, in cache: IdempotencyCache,
        _ responder: HTTPResponder
    ) {
        guard response.status.code < 500 else {
            cache.abandon(reservation)
            responder.respond(response)
            return
        }
        cache.complete(reservation, response: .init(status: response.status.code, body: response.body)) {
            responder.respond(response)
        }
    }

    static func replay(_ stored: IdempotencyCache.Response) -> HTTPResponse {
        let status = HTTPStatus(stored.status)
        if stored.status >= 400 {
            return HTTPResponse(
                status: status, headers: ["Content-Type": "application/problem+json"], body: stored.body)
        }
        return .json(stored.body, status: status)
    }

    /// Parses and appends (into `known` when given, else into `topic`, looked up); `answer` gets the response
    /// once the append is durable (or failed). Throws for errors found before anything was appended.
    func produce(
        topic: String, _ request: HTTPRequest, into known: TopicMetadata? = nil,
        answer: @escaping @Sendable (HTTPResponse) -> Void
    ) throws(APIFailure) {
        let batch = try ProduceParsing.batch(from: request)
        let partition = try request.integerQuery("partition", in: 0...Int64(Int32.max)).map { Int($0) }
        let completion: @Sendable (Result<[ProducedOffset], BrokerError>) -> Void = { result in
            switch result {
            case .success(let offsets):
                answer(.json(Self.encode(offsets)))
            case .failure(let error):
                answer(ProblemMapping.response(for: error))
            }
        }
        try APIFailure.mapping { () throws(BrokerError) in
            if let known {
                try broker.produce(into: known, batch: batch, defaultPartition: partition, completion: completion)
            } else {
                try broker.produce(topic: topic, batch: batch, defaultPartition: partition, completion: completion)
            }
        }
    }

    /// `{"offsets":[{"partition":P,"offset":O,"timestamp":T},…]}`, each entry formatted in one pass (the batch
    /// produce response has up to 10 000 of them).
    static func encode(_ offsets: [ProducedOffset]) -> [UInt8] {
        // Per entry: 43 bytes of literals + 3 decimals of at most 20 bytes.
        let bound = 16 + offsets.count * (43 + 60)
        return [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            var out = CompactOutput(base: buffer.baseAddress!)  // bound ≥ 16 bytes
            out.literal("{\"offsets\":[")
            for (index, offset) in offsets.enumerated() {
                out.literal(index == 0 ? "{\"partition\":" : ",{\"partition\":")
                out.decimal(Int64(offset.partition))
                out.literal(",\"offset\":")
                out.decimal(offset.offset)
                out.literal(",\"timestamp\":")
                out.decimal(offset.timestamp)
                out.byte(UInt8(ascii: "}"))
            }
            out.literal("]}")
            count = out.count
        }
    }
}
