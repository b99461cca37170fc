import Logging

/// Method + path-pattern routing. Build it before starting the server; it is a value type, so the server
/// keeps an immutable copy (thread-safe to use from every loop).
///
/// Unmatched paths get 404 `not-found`; a path that matches only with other methods gets 405
/// `method-not-allowed` with `Allow`. `HEAD` falls back to the `GET` route (the server sends no body).
///
/// Each route may carry an opaque ``Route/policy`` (FerryHTTP never looks inside it), and the router may have one
/// ``admission`` hook that runs for every matched route before its handler: the single place where an
/// application checks what a route requires (FerryAPI's access control does).
public struct Router: Sendable {
    /// One registered route.
    public struct Route: Sendable {
        public let method: HTTPMethod
        public let pattern: RoutePattern
        /// Whatever the application attached when registering (e.g. an access rule); nil when nothing was.
        public let policy: (any Sendable)?
        /// Position in ``Router/routes`` (registration order); reported to an ``HTTPServerObserver`` so that
        /// per-route state can live in an array instead of being looked up by pattern text per request.
        public let index: Int
        let handler: HTTPHandler
    }

    /// Decides, after a route matched (``HTTPRequest/pathParameters`` are set) and before its handler runs,
    /// whether the request may go on: nil lets the handler run, a response is sent instead of running it.
    /// Runs on the loop thread; must not block. The responder is only for notes such as
    /// ``HTTPResponder/noteRemoteUser(_:)``: answer by returning a response.
    public typealias Admission =
        @Sendable (_ request: HTTPRequest, _ route: Route, _ responder: HTTPResponder) ->
        HTTPResponse?

    public private(set) var routes: [Route] = []
    /// Indexes into ``routes`` by pattern segment count (registration order within each): a path is tried
    /// only against the patterns it could match.
    private var routesBySegmentCount: [[Int]] = []

    /// The admission hook (nil: every matched route runs its handler).
    public var admission: Admission?

    /// Decides, after a route matched and before admission, whether another part takes the request over and
    /// answers it itself through the responder (returns true), e.g. forwarding it to the node of a cluster that
    /// serves it. Runs on the loop thread; must not block.
    public typealias Interception =
        @Sendable (_ request: HTTPRequest, _ route: Route, _ responder: HTTPResponder) -> Bool

    /// The interception hook (nil: nothing is taken over).
    public var interception: Interception?

    public init() {}

    /// The registered (method, pattern) pairs in registration order (e.g. to compare with openapi.yaml).
    public var registeredRoutes: [(method: HTTPMethod, pattern: String)] {
        routes.map { ($0.method, $0.pattern.text) }
    }

    /// Adds a synchronous route (runs on the loop thread; see ``HTTPHandler``).
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping HTTPHandler) {
        add(method, pattern, policy: nil, handler)
    }

    /// Adds a synchronous route carrying `policy` (handed to ``admission`` with the route).
    public mutating func add(
        _ method: HTTPMethod, _ pattern: String, policy: (any Sendable)?, _ handler: @escaping HTTPHandler
    ) {
        let parsed = RoutePattern(pattern)
        precondition(
            !routes.contains { $0.method == method && $0.pattern == parsed },
            "duplicate route \(method) \(pattern)")
        let count = parsed.segments.count
        while routesBySegmentCount.count <= count { routesBySegmentCount.append([]) }
        routesBySegmentCount[count].append(routes.count)
        routes.append(Route(method: method, pattern: parsed, policy: policy, index: routes.count, handler: handler))
    }

    /// Adds an `async` route for cold paths: each request starts a `Task`. A thrown ``HTTPResponseError`` is
    /// answered with its response; anything else becomes a 500 `internal` problem (and is logged).
    public mutating func add(
        _ method: HTTPMethod, _ pattern: String, policy: (any Sendable)? = nil, logger: Logger? = nil,
        async handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) {
        add(method, pattern, policy: policy) { request, responder in
            Task {
                do {
                    responder.respond(try await handler(request))
                } catch let error as any HTTPResponseError {
                    responder.respond(error.response)
                } catch {
                    logger?.error(
                        "handler failed",
                        metadata: [
                            "method": "\(request.method)", "path": "\(request.path)", "error": "\(error)",
                        ])
                    responder.respond(.problem(.internalServerError, slug: "internal"))
                }
            }
        }
    }

    /// Routes one request (called by the server on a loop thread). Walks the candidate routes by index, so no
    /// route is copied until one matches.
    public func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let path = request.pathSegments
        var allowed: [HTTPMethod] = []
        var getMatch: Int?
        if path.count < routesBySegmentCount.count {
            for index in routesBySegmentCount[path.count] where routes[index].pattern.matches(path) {
                let method = routes[index].method
                if method == request.method {
                    dispatch(routes[index], request, responder)
                    return
                }
                if method == .GET && request.method == .HEAD { getMatch = index }
                if !allowed.contains(method) { allowed.append(method) }
            }
        }
        if let getMatch {
            dispatch(routes[getMatch], request, responder)
            return
        }
        if allowed.isEmpty {
            responder.respond(.problem(.notFound, slug: "not-found", detail: "no route for \(request.path)"))
        } else {
            if allowed.contains(.GET) && !allowed.contains(.HEAD) { allowed.append(.HEAD) }
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            responder.respond(
                .problem(
                    .methodNotAllowed, slug: "method-not-allowed",
                    detail: "\(request.method) is not allowed on \(request.path)", headers: ["Allow": allow]))
        }
    }

    /// Runs the admission hook, then (when it lets the request through) the route's handler.
    private func dispatch(_ route: Route, _ request: HTTPRequest, _ responder: HTTPResponder) {
        var request = request
        request.pathParameters = route.pattern.parameters(in: request.pathSegments)
        responder.noteRoute(route)
        if let interception, interception(request, route, responder) { return }
        if let admission, let refusal = admission(request, route, responder) {
            responder.respond(refusal)
            return
        }
        route.handler(request, responder)
    }

    /// This router as a server handler.
    public var handler: HTTPHandler {
        let router = self
        return { request, responder in router.handle(request, responder) }
    }
}

/// An error that knows its HTTP response (thrown from `async` routes).
public protocol HTTPResponseError: Error {
    var response: HTTPResponse { get }
}
