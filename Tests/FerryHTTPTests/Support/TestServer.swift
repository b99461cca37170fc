import FerryHTTP
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Starts a server on 127.0.0.1:0 for one test and always shuts it down.
func withServer(
    configure: (inout HTTPServer.Configuration) -> Void = { _ in },
    router: Router,
    _ body: (HTTPServer, Int) throws -> Void
) throws {
    try withServer(configure: configure, handler: router.handler, body)
}

func withServer(
    configure: (inout HTTPServer.Configuration) -> Void = { _ in },
    handler: @escaping HTTPHandler,
    _ body: (HTTPServer, Int) throws -> Void
) throws {
    var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
    configuration.loopCount = 2
    configure(&configuration)
    var logger = Logger(label: "ferry-http-test")
    logger.logLevel = .critical
    let server = HTTPServer(configuration: configuration, handler: handler, logger: logger)
    try server.start()
    defer { server.shutdown(gracePeriod: .seconds(2)) }
    try body(server, server.boundPort)
}

/// Starts a server on 127.0.0.1:0 with `loops` event loops, reporting to `observer`; the caller shuts it down.
func startServer(_ router: Router, loops: Int, observer: (any HTTPServerObserver)? = nil) throws -> HTTPServer {
    var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
    configuration.loopCount = loops
    var logger = Logger(label: "ferry-http-test")
    logger.logLevel = .critical
    let server = HTTPServer(configuration: configuration, router: router, logger: logger, observer: observer)
    try server.start()
    return server
}

/// Polls `condition` until it holds or about `seconds` pass (a bound against hanging, not a timing assertion).
func eventually(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let steps = Int(seconds * 200)
    for _ in 0..<steps {
        if condition() { return true }
        usleep(5000)
    }
    return condition()
}

/// A router with the routes most tests use.
func makeTestRouter() -> Router {
    var router = Router()
    router.add(.GET, "/") { _, responder in responder.respond(.text("hello")) }
    router.add(.GET, "/echo/{name}") { request, responder in
        responder.respond(.text(request.pathParameter("name") ?? "?"))
    }
    router.add(.POST, "/echo") { request, responder in
        responder.respond(HTTPResponse(status: .ok, body: request.body))
    }
    router.add(.GET, "/query") { request, responder in
        let text = request.queryItems.map { "\($0.name)=\($0.value)" }.joined(separator: "|")
        responder.respond(.text(text))
    }
    router.add(.GET, "/seq/{n}") { request, responder in
        responder.respond(.text(request.pathParameter("n") ?? ""))
    }
    return router
}
