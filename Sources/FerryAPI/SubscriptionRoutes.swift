import Dispatch
import FerryBroker
import FerryHTTP
import FerryJSON
import FerryWebhooks

/// `/v1/topics/{topic}/subscriptions…` (API.md "Webhook subscriptions"): create, list, status, alter
/// (pause/resume), delete, seek. Changes are answered once durable. Delivery is `FerryDelivery.WebhookDispatcher`'s.
extension FerryAPI {
    func addSubscriptionRoutes(to router: inout Router) {
        router.add(.POST, "/v1/topics/{topic}/subscriptions", needs: .admin(.topic)) { [self] request, responder in
            guarded(responder) { () throws(APIFailure) in try createSubscription(request, responder) }
        }
        router.add(.GET, "/v1/topics/{topic}/subscriptions", needs: .consume(.topic)) { [self] request, responder in
            guarded(responder) { () throws(APIFailure) in
                let statuses: [SubscriptionStatus] = try APIFailure.mapping { () throws(BrokerError) in
                    let topic = request.pathParameter("topic") ?? ""
                    _ = try broker.existingTopic(topic)
                    var statuses: [SubscriptionStatus] = []
                    for shard in broker.localShards { statuses += try shard.subscriptions.list(topic: topic) }
                    return statuses.sorted { $0.config.name.utf8.lexicographicallyPrecedes($1.config.name.utf8) }
                }
                var writer = JSONWriter(capacity: 512)
                writer.beginObject()
                writer.key(ascii: "subscriptions")
                writer.beginArray()
                for status in statuses { Self.write(status, into: &writer) }
                writer.endArray()
                writer.endObject()
                respondWithClusterList(
                    request, member: "subscriptions", sortKey: "name", localBody: writer.take(),
                    responder)
            }
        }
        router.add(.GET, "/v1/topics/{topic}/subscriptions/{name}", needs: .consume(.topic)) {
            [self] request, responder in
            guarded(responder) { () throws(APIFailure) in
                let topic = request.pathParameter("topic") ?? ""
                let name = request.pathParameter("name") ?? ""
                responder.respond(try subscriptionStatusResponse(topic: topic, name: name))
            }
        }
        router.add(.PATCH, "/v1/topics/{topic}/subscriptions/{name}", needs: .admin(.topic)) {
            [self] request, responder in
            guarded(responder) { () throws(APIFailure) in try updateSubscription(request, responder) }
        }
        router.add(.DELETE, "/v1/topics/{topic}/subscriptions/{name}", needs: .admin(.topic)) {
            [self] request, responder in
            guarded(responder) { () throws(APIFailure) in
                let answer = DurableAnswer.noContent(responder)
                try APIFailure.mapping { () throws(BrokerError) in
                    let (topic, name) = (request.pathParameter("topic") ?? "", request.pathParameter("name") ?? "")
                    try subscriptions(topic: topic, name: name).delete(
                        topic: topic, name: name, onDurable: answer.durable)
                }
            }
        }
        router.add(.POST, "/v1/topics/{topic}/subscriptions/{name}/seek", needs: .admin(.topic)) {
            [self] request, responder in
            guarded(responder) { () throws(APIFailure) in try seekSubscription(request, responder) }
        }
    }

    func createSubscription(_ request: HTTPRequest, _ responder: HTTPResponder) throws(APIFailure) {
        let topic = request.pathParameter("topic") ?? ""
        let body = try request.jsonObject()
        guard let name = try body.string("name") else { throw .parameter("name", "is required") }
        guard let url = try body.string("url") else { throw .parameter("url", "is required") }
        var config = SubscriptionConfig(topic: topic, name: name, url: url)
        config.secret = try body.string("secret")
        try Self.checkSecret(config.secret)
        config.batchSize = Int(try body.int64("batch_size", in: 1...1000, default: 1))
        config.maxAttempts = Int(try body.int64("max_attempts", in: 1...100, default: 8))
        config.timeoutMilliseconds = Int(try body.int64("timeout_ms", in: 100...300_000, default: 10_000))
        config.headers = try Self.headerMap(body, "headers") ?? []
        config.filter = try Self.filter(body) ?? nil
        var start = OffsetReset.latest
        if let text = try body.string("start") {
            guard let parsed = OffsetReset(rawValue: text) else {
                throw .parameter("start", "must be 'earliest' or 'latest'")
            }
            start = parsed
        }
        let created = config
        try checkWebhookURL(url, responder) { [self, start] () throws(APIFailure) in
            try APIFailure.mapping { () throws(BrokerError) in
                try subscriptions(topic: topic, name: created.name).create(created, start: start) { [self] result in
                    respondWithStatus(result, topic: topic, name: name, status: .created, responder)
                }
            }
        }
    }

    func updateSubscription(_ request: HTTPRequest, _ responder: HTTPResponder) throws(APIFailure) {
        let topic = request.pathParameter("topic") ?? ""
        let name = request.pathParameter("name") ?? ""
        let body = try request.jsonObject()
        var patch = SubscriptionPatch()
        patch.paused = try body.bool("paused")
        patch.url = try body.string("url")
        if let secret = body["secret"] {
            if secret.isNull { patch.secret = .some(nil) } else { patch.secret = .some(try body.string("secret")) }
            try Self.checkSecret(try body.string("secret"))
        }
        patch.headers = try Self.headerMap(body, "headers")
        patch.batchSize = try body.int64("batch_size", in: 1...1000).map { Int($0) }
        patch.maxAttempts = try body.int64("max_attempts", in: 1...100).map { Int($0) }
        patch.timeoutMilliseconds = try body.int64("timeout_ms", in: 100...300_000).map { Int($0) }
        patch.filter = try Self.filter(body)
        let apply: @Sendable () throws(APIFailure) -> Void = { [self, patch] () throws(APIFailure) in
            try APIFailure.mapping { () throws(BrokerError) in
                try subscriptions(topic: topic, name: name).update(topic: topic, name: name, patch) { [self] result in
                    respondWithStatus(result, topic: topic, name: name, status: .ok, responder)
                }
            }
        }
        guard let url = patch.url else { return try apply() }
        // Fail fast on a missing subscription before resolving anything.
        _ = try APIFailure.mapping { () throws(BrokerError) in
            try subscriptions(topic: topic, name: name).status(topic: topic, name: name)
        }
        try checkWebhookURL(url, responder, then: apply)
    }

    func seekSubscription(_ request: HTTPRequest, _ responder: HTTPResponder) throws(APIFailure) {
        let topic = request.pathParameter("topic") ?? ""
        let name = request.pathParameter("name") ?? ""
        let body = try request.jsonObject()
        let target: SubscriptionSeek
        switch body["to"] {
        case .string("earliest"): target = .earliest
        case .string("latest"): target = .latest
        case .object(let object) where object["offset"] != nil:
            let partition = try object.int64("partition", in: 0...Int64(Int32.max)).map { Int($0) }
            target = .offset(try object.requiredInt64("offset", in: 0...Int64.max), partition: partition)
        case .object(let object) where object["timestamp"] != nil:
            target = .timestamp(try object.requiredInt64("timestamp", in: 0...Int64.max))
        default:
            throw .parameter(
                "to", "must be \"earliest\", \"latest\", {\"offset\": N, \"partition\": P} or {\"timestamp\": T}")
        }
        try APIFailure.mapping { () throws(BrokerError) in
            try broker.seekSubscription(topic: topic, name: name, to: target) { [self] result in
                respondWithStatus(result, topic: topic, name: name, status: .ok, responder)
            }
        }
    }

    /// A secret must be usable as a signing key (a `whsec_` secret must be valid base64).
    static func checkSecret(_ secret: String?) throws(APIFailure) {
        guard let secret else { return }
        do {
            _ = try WebhookSigner(secret: secret)
        } catch {
            throw .parameter("secret", "\(error)")
        }
    }

    /// Answers a durable change with the subscription's status, or the error.
    func respondWithStatus(
        _ result: Result<Void, BrokerError>, topic: String, name: String, status: HTTPStatus, _ responder: HTTPResponder
    ) {
        switch result {
        case .success:
            do throws(APIFailure) {
                responder.respond(try subscriptionStatusResponse(topic: topic, name: name, status: status))
            } catch {
                responder.respond(error.response)
            }
        case .failure(let error):
            responder.respond(ProblemMapping.response(for: error))
        }
    }

    func subscriptionStatusResponse(topic: String, name: String, status: HTTPStatus = .ok) throws(APIFailure)
        -> HTTPResponse
    {
        let subscription: SubscriptionStatus = try APIFailure.mapping { () throws(BrokerError) in
            try subscriptions(topic: topic, name: name).status(topic: topic, name: name)
        }
        var writer = JSONWriter(capacity: 512)
        Self.write(subscription, into: &writer)
        return .json(writer.take(), status: status)
    }

    /// Checks a webhook URL (http/https; with the private-network guard, also what it resolves to), then runs
    /// `next`. Resolving blocks, so with the guard the check and `next` run on a Dispatch thread.
    func checkWebhookURL(
        _ url: String, _ responder: HTTPResponder, then next: @escaping @Sendable () throws(APIFailure) -> Void
    ) throws(APIFailure) {
        let target: WebhookTarget
        do {
            target = try webhookPolicy.parse(url)
        } catch {
            throw APIFailure(BrokerError.invalidURL("url: \(error)"))
        }
        guard denyPrivateWebhooks else { return try next() }
        let policy = webhookPolicy
        DispatchQueue.global().async { [self] in
            guarded(responder) { () throws(APIFailure) in
                do {
                    _ = try policy.admit(target)
                } catch {
                    throw APIFailure(BrokerError.invalidURL("url: \(error)"))
                }
                try next()
            }
        }
    }
}
