import FerryBroker
import FerryHTTP
import FerryJSON
import Synchronization

/// The one place where errors become HTTP responses (RFC 9457 problem+json with API.md's slugs).
enum ProblemMapping {
    static func response(for error: BrokerError) -> HTTPResponse {
        switch error {
        case .invalidTopicName: return problem(.badRequest, "invalid-topic-name", error)
        case .invalidName: return problem(.badRequest, "invalid-parameter", error)
        case .invalidConfig: return problem(.badRequest, "invalid-config", error)
        case .invalidPartitions: return problem(.badRequest, "invalid-partitions", error)
        case .invalidRecord(let index, _):
            return .problem(
                .badRequest, slug: "invalid-record", detail: error.description, extra: [("index", .int(Int64(index)))])
        case .invalidParameter: return problem(.badRequest, "invalid-parameter", error)
        case .topicNotFound: return problem(.notFound, "topic-not-found", error)
        case .topicExists: return problem(.conflict, "topic-exists", error)
        case .partitionNotFound: return problem(.notFound, "partition-not-found", error)
        case .groupNotFound: return problem(.notFound, "group-not-found", error)
        case .queueNotFound: return problem(.notFound, "queue-not-found", error)
        case .queueExists: return problem(.conflict, "queue-exists", error)
        case .subscriptionNotFound: return problem(.notFound, "subscription-not-found", error)
        case .subscriptionExists: return problem(.conflict, "subscription-exists", error)
        case .invalidURL: return problem(.badRequest, "invalid-url", error)
        case .memberNotFound: return problem(.notFound, "member-not-found", error)
        case .groupNotEmpty: return problem(.conflict, "group-not-empty", error)
        case .notPartitionOwner: return problem(.conflict, "not-partition-owner", error)
        case .offsetOutOfRange(_, let start, let end):
            return .problem(
                .rangeNotSatisfiable, slug: "offset-out-of-range", detail: error.description,
                extra: [("start_offset", .int(start)), ("end_offset", .int(end))])
        case .messageTooLarge(let index, _, _):
            return .problem(
                .contentTooLarge, slug: "message-too-large", detail: error.description,
                extra: [("index", .int(Int64(index)))])
        case .idempotencyKeyReused: return problem(.conflict, "idempotency-key-reused", error)
        case .insufficientStorage: return problem(.insufficientStorage, "insufficient-storage", error)
        case .unavailable:
            // The storage (a Kafka cluster) cannot be reached now: try again shortly.
            return .problem(
                .serviceUnavailable, slug: "unavailable", detail: error.description, headers: ["Retry-After": "1"])
        case .internal: return problem(.internalServerError, "internal", error)
        }
    }

    static func problem(_ status: HTTPStatus, _ slug: String, _ error: BrokerError) -> HTTPResponse {
        .problem(status, slug: slug, detail: error.description)
    }

    static func invalidJSON(_ error: JSONError) -> HTTPResponse {
        .problem(.badRequest, slug: "invalid-json", detail: "request body is not valid JSON: \(error)")
    }

    static func unsupportedMediaType(_ contentType: String) -> HTTPResponse {
        .problem(
            .unsupportedMediaType, slug: "unsupported-media-type",
            detail: "expected application/json, got '\(contentType)'"
                + (contentType.lowercased().hasPrefix("application/x-www-form-urlencoded")
                    ? " (curl sends that type with -d by default: add -H 'Content-Type: application/json')" : ""))
    }
}

/// A request that cannot go on: carries the response to send instead.
struct APIFailure: Error, HTTPResponseError {
    let response: HTTPResponse

    init(_ response: HTTPResponse) { self.response = response }
    init(_ error: BrokerError) { self.response = ProblemMapping.response(for: error) }

    /// Runs a broker call, turning a ``BrokerError`` into the API's problem response: the one conversion
    /// point between the broker's errors and the route handlers' `throws(APIFailure)`.
    static func mapping<T>(_ body: () throws(BrokerError) -> T) throws(APIFailure) -> T {
        do {
            return try body()
        } catch {
            throw APIFailure(error)
        }
    }

    static func parameter(_ name: String, _ reason: String) -> APIFailure {
        APIFailure(BrokerError.invalidParameter(name: name, reason: reason))
    }
}
