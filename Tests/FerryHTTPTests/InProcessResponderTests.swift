import FerryHTTP
import FerrySystem
import FerryTesting
import Synchronization
import Testing

/// Handlers run without a socket: a responder backed by `HTTPResponseSink` keeps the responder's contract (first
/// answer wins, deferred answers from any thread, streams, close callbacks), and `InProcessRunner` takes a
/// request through the router (404/405, HEAD, admission) the way the server does.
@Suite("In-process responder")
struct InProcessResponderTests {
    /// Whether a second answer to the same request was taken.
    final class SecondAnswer: Sendable {
        let taken = Mutex<Bool?>(nil)
    }

    /// The deferred-response tests' router (`/hold`, `/stream` and the basic routes, as they run over sockets)
    /// plus `/twice` (answers twice), `/endless` (a stream that never ends) and `/user` (behind an admission
    /// check that notes the user).
    static func makeRouter(_ holder: HTTPDeferredTests.Holder, _ second: SecondAnswer = SecondAnswer()) -> Router {
        var router = HTTPDeferredTests.holdingRouter(holder)
        router.add(.GET, "/twice") { _, responder in
            responder.respond(.text("first"))
            second.taken.withLock { $0 = responder.respond(.text("second")) }
        }
        router.add(.GET, "/endless") { _, responder in
            let writer = responder.startStream()
            writer.onClose { holder.closed.add(1, ordering: .relaxed) }
            writer.write("tick\n")
            writer.whenDrained(below: 0) { writer.write("drained\n") }
        }
        router.add(.GET, "/user") { request, responder in
            responder.respond(.text(request.headers["X-User"] ?? "-"))
        }
        router.admission = { request, route, responder in
            guard route.pattern.text == "/user" else { return nil }
            guard let user = request.headers["X-User"] else { return .problem(.unauthorized, slug: "unauthorized") }
            responder.noteRemoteUser(user)
            return nil
        }
        return router
    }

    /// Starts `GET target` in process on ``makeRouter(_:_:)``.
    static func get(_ target: String, _ holder: HTTPDeferredTests.Holder = .init()) -> InProcessExchange {
        InProcessRunner(router: makeRouter(holder)).start(HTTPRequest(method: .GET, target: target))
    }

    @Test func responder_StaysSixteenBytes() {
        #expect(MemoryLayout<HTTPResponder>.size == 16)
        #expect(MemoryLayout<HTTPStreamWriter>.size == 16)
    }

    @Test func immediateAnswer_ComesBack_WithRouteAndRequestId() async throws {
        let runner = InProcessRunner(router: makeTestRouter())
        let exchange = runner.start(HTTPRequest(method: .GET, target: "/echo/abc", headers: ["X-Request-Id": "r-1"]))
        let response = try await exchange.response()
        #expect(response.status == .ok && response.body == Array("abc".utf8))
        #expect(response.headers["X-Request-Id"] == "r-1")
        #expect(exchange.route?.pattern.text == "/echo/{name}")
        let posted = try await runner.send(.POST, "/echo", body: [1, 2, 3])
        #expect(posted.body == [1, 2, 3])
    }

    @Test func onlyTheFirstAnswerCounts() async throws {
        let second = SecondAnswer()
        let runner = InProcessRunner(router: Self.makeRouter(HTTPDeferredTests.Holder(), second))
        let response = try await runner.send(.GET, "/twice")
        #expect(String(decoding: response.body, as: UTF8.self) == "first")
        #expect(second.taken.withLock { $0 } == false)
    }

    @Test func deferredAnswer_FromAnotherThread_ResumesTheWaiter() async throws {
        let holder = HTTPDeferredTests.Holder()
        let exchange = Self.get("/hold", holder)
        #expect(exchange.snapshot.status == nil)
        let responder = try #require(holder.responders.withLock { $0.first })
        #expect(responder.isConnectionOpen)
        SystemThread.detached(name: "test-answer") { responder.respond(.text("late")) }
        let response = try await exchange.response()
        #expect(String(decoding: response.body, as: UTF8.self) == "late")
        #expect(holder.closed.load(ordering: .relaxed) == 0, "no close callback after a normal answer")
        exchange.close()
        #expect(holder.closed.load(ordering: .relaxed) == 0)
    }

    @Test func stream_IsCollectedInOrder_UntilFinished() async throws {
        let holder = HTTPDeferredTests.Holder()
        let exchange = Self.get("/stream", holder)
        let response = try await exchange.response()
        #expect(response.status == .ok && response.headers["Content-Type"] == "text/event-stream")
        #expect(String(decoding: response.body, as: UTF8.self) == "data: 0\n\ndata: 1\n\ndata: 2\n\n")
        #expect(exchange.snapshot.isStreamed)
    }

    @Test func close_RunsCloseCallbacks_AndLaterAnswersAreDropped() async throws {
        let holder = HTTPDeferredTests.Holder()
        let runner = InProcessRunner(router: Self.makeRouter(holder))
        let held = runner.start(HTTPRequest(method: .GET, target: "/hold"))
        held.close()
        #expect(holder.closed.load(ordering: .relaxed) == 1)
        let responder = try #require(holder.responders.withLock { $0.first })
        #expect(!responder.isConnectionOpen)
        #expect(!responder.respond(.text("too late")))
        await #expect(throws: InProcessExchange.Failure.closedBeforeAnswer) { try await held.response() }
        responder.onClose { holder.closed.add(1, ordering: .relaxed) }  // registered after the close: runs at once
        #expect(holder.closed.load(ordering: .relaxed) == 2)

        let endless = runner.start(HTTPRequest(method: .GET, target: "/endless"))
        let first = try await endless.wait { $0.text.hasSuffix("drained\n") }
        #expect(first.text == "tick\ndrained\n" && !first.isComplete)
        endless.close()
        #expect(holder.closed.load(ordering: .relaxed) == 3)
    }

    @Test func waiting_TimesOut_WhenNobodyAnswers() async throws {
        let exchange = Self.get("/hold")
        await #expect(throws: InProcessExchange.Failure.timedOut(.milliseconds(50))) {
            try await exchange.response(timeout: .milliseconds(50))
        }
    }

    @Test func router_Answers404And405_AndHEADWithoutBody() async throws {
        let runner = InProcessRunner(router: makeTestRouter())
        let missing = try await runner.send(.GET, "/no/such/path")
        #expect(missing.status == .notFound && missing.headers["Content-Type"] == "application/problem+json")
        let wrong = try await runner.send(.DELETE, "/echo")
        #expect(wrong.status == .methodNotAllowed && wrong.headers["Allow"] == "POST")
        let head = try await runner.send(.HEAD, "/echo/abc")
        #expect(head.status == .ok && head.body.isEmpty)
    }

    @Test func admission_RunsBeforeTheHandler_AndNotesTheUser() async throws {
        let runner = InProcessRunner(router: Self.makeRouter(HTTPDeferredTests.Holder()))
        #expect(try await runner.send(.GET, "/user").status == .unauthorized)
        let exchange = runner.start(HTTPRequest(method: .GET, target: "/user", headers: ["X-User": "ops"]))
        #expect(String(decoding: try await exchange.response().body, as: UTF8.self) == "ops")
        #expect(exchange.remoteUser == "ops")
    }
}
