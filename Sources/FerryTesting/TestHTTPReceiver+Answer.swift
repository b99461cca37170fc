import FerryHTTP

extension TestHTTPReceiver {
    /// One request as the receiver got it, with the time it arrived (the receiver's clock).
    public struct Received: Sendable {
        public let request: HTTPRequest
        public let arrival: ContinuousClock.Instant

        public init(request: HTTPRequest, arrival: ContinuousClock.Instant) {
            self.request = request
            self.arrival = arrival
        }

        /// The percent-decoded path (no query).
        public var path: String { request.path }
        /// The body as received (de-chunked).
        public var body: [UInt8] { request.body }
        /// The header fields in arrival order.
        public var headers: [(name: String, value: String)] { request.headers.fields.map { ($0.name, $0.value) } }
        /// The first value of header `name` (any case), or nil.
        public func header(_ name: String) -> String? { request.headers[name] }
    }

    /// How the receiver answers one request.
    public enum Answer: Sendable {
        case response(HTTPResponse)
        /// Never answers: the request is held until its client gives up (or the receiver stops).
        case hang

        /// A response with `code`, `headers` in order and `body`.
        public static func status(_ code: Int, headers: [(String, String)] = [], body: [UInt8] = []) -> Answer {
            .response(HTTPResponse(status: HTTPStatus(code), headers: HTTPHeaders(headers), body: body))
        }

        /// A handler that answers each request with `answer`'s choice.
        static func handler(_ answer: @escaping @Sendable (Received) -> Answer) -> Handler {
            { received, responder in
                if case .response(let response) = answer(received) { responder.respond(response) }
            }
        }
    }
}
