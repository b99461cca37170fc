import FerryHTTP
import FerryTesting
import Synchronization
import Testing

/// The router's admission hook: one check per matched route, before its handler, seeing the route's policy.
@Suite("Router admission")
struct RouterAdmissionTests {
    final class Handled: Sendable {
        let names = Mutex<[String]>([])
    }

    /// A router whose admission refuses any route whose policy is "closed" (or that has no policy).
    static func makeRouter(handled: Handled) -> Router {
        var router = Router()
        router.add(.GET, "/open/{name}", policy: "open") { request, responder in
            handled.names.withLock { $0.append(request.pathParameter("name") ?? "") }
            responder.respond(.text("open"))
        }
        router.add(.GET, "/closed", policy: "closed") { _, responder in
            handled.names.withLock { $0.append("closed") }
            responder.respond(.text("closed"))
        }
        router.add(.GET, "/bare") { _, responder in
            handled.names.withLock { $0.append("bare") }
            responder.respond(.text("bare"))
        }
        router.admission = { request, route, _ in
            guard let policy = route.policy as? String, policy == "open" else {
                return .problem(.forbidden, slug: "forbidden", detail: "\(route.pattern)")
            }
            // Path parameters are already captured when the hook runs.
            return request.pathParameter("name") == "deny" ? .problem(.forbidden, slug: "forbidden") : nil
        }
        return router
    }

    @Test func admission_RunsBeforeHandler_AndSeesPolicyAndParameters() throws {
        let handled = Handled()
        try withServer(router: Self.makeRouter(handled: handled)) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET /open/a HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            client.send("GET /open/deny HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 403)
            client.send("GET /closed HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 403)
            client.send("HEAD /closed HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse(head: true).status == 403)
            client.send("GET /bare HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 403)
        }
        #expect(handled.names.withLock { $0 } == ["a"])
    }

    @Test func admission_IsSkipped_ForUnmatchedPaths() throws {
        let handled = Handled()
        try withServer(router: Self.makeRouter(handled: handled)) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 404)
            client.send("POST /closed HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            #expect(try client.readResponse().status == 405)
        }
    }

    @Test func routes_KeepTheirPolicy() {
        let router = Self.makeRouter(handled: Handled())
        #expect(router.routes.map { $0.policy as? String } == ["open", "closed", nil])
    }
}
