// ferry-bench-http: FerryHTTP serving trivial routes for Benchmarks/http-vs-nginx.sh.
//   GET  /      → 200 "hello, world\n"
//   POST /post  → 204 (reads the body)
//   POST /echo  → 200 with the body's length as text
// Usage: ferry-bench-http [port] [loops]; prints "listening <port>" and runs until SIGTERM/SIGINT.
import FerryHTTP
import FerrySystem
import Logging

#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
let port = arguments.count > 1 ? Int(arguments[1]) ?? 8081 : 8081
let loops =
    arguments.count > 2
    ? Int(arguments[2]) ?? HTTPServer.Configuration.defaultLoopCount
    : HTTPServer.Configuration.defaultLoopCount

TerminationSignals.block()
var logger = Logger(label: "ferry-bench-http")
logger.logLevel = .warning

var router = Router()
let hello = HTTPResponse.text("hello, world\n")
router.add(.GET, "/") { _, responder in responder.respond(hello) }
router.add(.POST, "/post") { _, responder in responder.respond(HTTPResponse(status: .noContent)) }
router.add(.POST, "/echo") { request, responder in responder.respond(.text("\(request.body.count)\n")) }

var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: port)
configuration.loopCount = loops
let server = HTTPServer(configuration: configuration, router: router, logger: logger)
do {
    try server.start()
} catch {
    print("ferry-bench-http: \(error)")
    exit(1)
}
print("listening \(server.boundPort)")
fflush(nil)
_ = TerminationSignals.wait()
server.shutdown(gracePeriod: .seconds(2))
