import Dispatch
import FerryHTTP
import FerrySystem
import FerryTesting
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Answers of held requests and stream bytes written by threads other than the connection's loop go straight
/// to the socket while the loop holds nothing of the connection's output (``SocketBypass``): in order, framed
/// as the loop would, counted, at most one answer per request, never after the end of a stream nor to a
/// descriptor the loop has closed.
@Suite("Writes past the loop")
struct SocketBypassTests {
    /// Keeps what handlers hand over (stream writers, responders of held requests).
    final class Kept<Value: Sendable>: Sendable {
        let list = Mutex<[Value]>([])
        var first: Value? { list.withLock { $0.first } }
        func take() -> [Value] {
            list.withLock { list in
                defer { list = [] }
                return list
            }
        }
    }

    /// Sends `request` (a head whose route keeps its responder here) and returns that held responder.
    static func hold(_ request: String, on client: RawConnection, _ held: Kept<HTTPResponder>) throws -> HTTPResponder {
        client.send(request)
        #expect(eventually { held.first != nil })
        return try #require(held.take().first)
    }

    /// Blocks the loop that serves `GET /block` until released (bounded): nothing that loop owns may move.
    final class LoopBlocker: Sendable {
        let blocked = Atomic<Bool>(false)
        let release = DispatchSemaphore(value: 0)

        func add(to router: inout Router) {
            router.add(.GET, "/block") { [self] _, responder in
                blocked.store(true, ordering: .releasing)
                _ = release.wait(timeout: .now() + .seconds(15))
                responder.respond(.text("unblocked"))
            }
        }

        /// Sends `GET /block` on a connection of its own and waits until the handler holds the loop.
        func block(port: Int) throws -> RawConnection {
            let connection = try RawConnection(port: port)
            connection.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(eventually { blocked.load(ordering: .acquiring) })
            return connection
        }
    }

    static func router(writers: Kept<HTTPStreamWriter>, held: Kept<HTTPResponder> = Kept()) -> Router {
        var router = makeTestRouter()
        router.add(.GET, "/stream") { _, responder in
            writers.list.withLock { $0.append(responder.startStream()) }
        }
        router.add(.GET, "/hold") { _, responder in
            held.list.withLock { $0.append(responder) }
        }
        return router
    }

    @Test func streamWrites_FromAnotherThread_ReachTheClient_WhileTheLoopIsBusy() throws {
        let writers = Kept<HTTPStreamWriter>()
        let blocker = LoopBlocker()
        var router = Self.router(writers: writers)
        blocker.add(to: &router)
        let server = try startServer(router, loops: 1)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let stream = try RawConnection(port: server.boundPort, receiveTimeoutSeconds: 5)
        stream.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try stream.readHead().header("Transfer-Encoding") == "chunked")
        #expect(eventually { writers.first != nil })
        let writer = try #require(writers.first)
        #expect(writer.write("warm"))
        #expect(try stream.readChunk() == Array("warm".utf8))

        let other = try blocker.block(port: server.boundPort)
        // The loop is stuck in a handler: only a direct write can deliver this.
        for index in 0..<3 { #expect(writer.write("event \(index)")) }
        var received: [String] = []
        for _ in 0..<3 {
            guard let chunk = try stream.readChunk() else { break }
            received.append(String(decoding: chunk, as: UTF8.self))
        }
        blocker.release.signal()
        #expect(received == ["event 0", "event 1", "event 2"])
        #expect(try other.readResponse().text == "unblocked")

        writer.finish()
        writer.write("after the end")
        #expect(try stream.readChunk() == nil)
        // Nothing written after finish() reaches the connection: its next response parses cleanly.
        stream.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try stream.readResponse().text == "hello")
    }

    /// On its own loop thread (outside the stream's own handler) a stream write goes into the connection's
    /// output at once, unless a write of the stream posted from elsewhere is still queued: it never overtakes
    /// one, nor follows `finish()`.
    @Test func streamWrites_OnTheLoopThread_KeepCallOrder_WithWritesPostedFromElsewhere() throws {
        let writers = Kept<HTTPStreamWriter>()
        let large = [UInt8](repeating: UInt8(ascii: "z"), count: OutputQueue.largeChunkBytes + 5)  // by reference
        var router = makeTestRouter()
        router.add(.GET, "/stream") { _, responder in
            let writer = responder.startStream()
            writer.write("first")  // inside the stream's own handler: through the mailbox
            writers.list.withLock { $0.append(writer) }
        }
        // Handlers of other connections run on the same (single) loop thread.
        router.add(.POST, "/write") { request, responder in
            guard let writer = writers.first else {
                responder.respond(.text("no stream"))
                return
            }
            let text = String(decoding: request.body, as: UTF8.self)
            writer.write("\(text) 1")  // into the output at once: the bypass is shut from here on
            // From another thread, with the bypass shut: posted to the loop, which runs it after this handler.
            let posted = DispatchSemaphore(value: 0)
            SystemThread.detached(name: "test-writer") {
                writer.write("\(text) 2")
                posted.signal()
            }
            posted.wait()
            writer.write("\(text) 3")  // after it in time: must not overtake it
            writer.write(large)
            responder.respond(.text("written"))
        }
        router.add(.POST, "/finish") { _, responder in
            writers.first?.finish()
            writers.first?.write("after the end")
            responder.respond(.text("finished"))
        }
        let server = try startServer(router, loops: 1)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let stream = try RawConnection(port: server.boundPort, receiveTimeoutSeconds: 5)
        stream.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try stream.readHead().status == 200)
        #expect(try stream.readChunk() == Array("first".utf8))

        let other = try RawConnection(port: server.boundPort, receiveTimeoutSeconds: 5)
        for text in ["a", "b"] {
            other.send("POST /write HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n\(text)")
            #expect(try other.readResponse().text == "written")
            for index in 1...3 { #expect(try stream.readChunk() == Array("\(text) \(index)".utf8)) }
            #expect(try stream.readChunk() == large)
        }
        other.send("POST /finish HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        #expect(try other.readResponse().text == "finished")
        #expect(try stream.readChunk() == nil)
        // Nothing written after finish() reached the connection: its next response parses cleanly.
        stream.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try stream.readResponse().text == "hello")
    }

    /// A stream's own handler that writes more than the stream may buffer gets its connection closed once the
    /// handler has returned, and the loop goes on serving.
    @Test func streamHandler_WritingOverTheBufferLimit_IsClosed_AndTheLoopGoesOn() throws {
        var router = makeTestRouter()
        router.add(.GET, "/flood") { _, responder in
            let writer = responder.startStream()
            writer.write([UInt8](repeating: 1, count: 5 << 20))  // over the 4 MiB default, in one write
            writer.write("more")
        }
        let server = try startServer(router, loops: 1)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let flooded = try RawConnection(port: server.boundPort, receiveTimeoutSeconds: 5)
        flooded.send("GET /flood HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(flooded.waitForClose())
        let next = try RawConnection(port: server.boundPort, receiveTimeoutSeconds: 5)
        next.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try next.readResponse().text == "hello")
        #expect(eventually { server.openConnectionCount == 1 })
    }

    @Test func heldAnswer_FromAnotherThread_ReachesTheClient_WhileTheLoopIsBusy() throws {
        let held = Kept<HTTPResponder>()
        let blocker = LoopBlocker()
        let recorder = HTTPServerObserverTests.Recorder()
        var router = Self.router(writers: Kept(), held: held)
        blocker.add(to: &router)
        let server = try startServer(router, loops: 1, observer: recorder)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let polling = try RawConnection(port: server.boundPort, receiveTimeoutSeconds: 5)
        let responder = try Self.hold(
            "GET /hold HTTP/1.1\r\nHost: x\r\nX-Request-Id: poll-1\r\n\r\n", on: polling, held)
        let other = try blocker.block(port: server.boundPort)
        // A pipelined request waits behind the held one, on the same stuck loop.
        polling.send("GET /echo/next HTTP/1.1\r\nHost: x\r\n\r\n")
        let answered = Atomic<Bool>(false)
        SystemThread.detached(name: "test-answer") {
            answered.store(responder.respond(.text("late")), ordering: .releasing)
        }
        let answer = try polling.readResponse()
        #expect(answer.text == "late")
        #expect(answer.header("X-Request-Id") == "poll-1")
        #expect(answer.header("Connection") == nil && answer.header("Date") != nil)
        #expect(eventually { answered.load(ordering: .acquiring) })
        #expect(!responder.respond(.text("again")))
        blocker.release.signal()
        #expect(try other.readResponse().text == "unblocked")
        // Once the loop runs again it serves what waited behind the answer, then the connection goes on.
        #expect(try polling.readResponse().text == "next")
        polling.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try polling.readResponse().text == "hello")
        #expect(eventually { server.heldRequestCount == 0 })
        #expect(eventually { recorder.all.count == 4 })
        let late = recorder.all.first { $0.responseBodyBytes == 4 && $0.status == 200 }
        #expect(late != nil)
    }

    @Test func largeHeldAnswer_ToASlowReader_ArrivesWhole() throws {
        let held = Kept<HTTPResponder>()
        let server = try startServer(Self.router(writers: Kept(), held: held), loops: 2)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawConnection(port: server.boundPort, receiveBufferBytes: 16 << 10)
        let responder = try Self.hold("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n", on: client, held)
        // 12 MiB: more than a loopback socket's largest send buffer (4 MiB) holds; the loop sends the rest.
        let body = (0..<(12 << 20)).map { UInt8($0 % 251) }
        SystemThread.detached(name: "test-answer") { responder.respond(HTTPResponse(status: .ok, body: body)) }
        usleep(200_000)
        let answer = try client.readResponse()
        #expect(answer.body.count == body.count)
        #expect(answer.body == body)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().text == "hello")
    }

    @Test func heldAnswer_ToHEADRequest_SendsNoBody() throws {
        let held = Kept<HTTPResponder>()
        let server = try startServer(Self.router(writers: Kept(), held: held), loops: 2)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawConnection(port: server.boundPort)
        let responder = try Self.hold("HEAD /hold HTTP/1.1\r\nHost: x\r\n\r\n", on: client, held)
        SystemThread.detached(name: "test-answer") { responder.respond(.text("not to be sent")) }
        let answer = try client.readResponse(head: true)
        #expect(answer.header("Content-Length") == "14")
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().text == "hello")
    }

    @Test func racingAnswers_OnlyOneReachesTheClient() throws {
        let held = Kept<HTTPResponder>()
        var router = Self.router(writers: Kept(), held: held)
        router.add(.GET, "/race/{delay}") { request, responder in
            // One answer races the handler's return: it often goes through the loop, the others past it.
            let delay = UInt32(request.pathParameter("delay") ?? "") ?? 0
            SystemThread.detached(name: "test-answer-early") {
                usleep(delay)
                responder.respond(.text("answer early"))
            }
            held.list.withLock { $0.append(responder) }
        }
        let server = try startServer(router, loops: 2)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawConnection(port: server.boundPort)
        for round in 0..<200 {
            let responder = try Self.hold("GET /race/\(round % 4 * 50) HTTP/1.1\r\nHost: x\r\n\r\n", on: client, held)
            let done = DispatchSemaphore(value: 0)
            for thread in 0..<2 {
                SystemThread.detached(name: "test-answer-\(thread)") {
                    usleep(UInt32(round % 3 * 40 + thread * 30))
                    responder.respond(.text("answer \(thread)"))
                    done.signal()
                }
            }
            for _ in 0..<2 { #expect(done.wait(timeout: .now() + .seconds(10)) == .success) }
            let answer = try client.readResponse()
            #expect(answer.text.hasPrefix("answer "), "\(answer)")
            // A second answer on the wire would be read here instead of this one.
            client.send("GET /echo/\(round) HTTP/1.1\r\nHost: x\r\n\r\n")
            let echo = try client.readResponse()
            #expect(echo.text == "\(round)", "round \(round): \(echo)")
            if echo.text != "\(round)" { break }
        }
    }

    @Test func answersQueuedToTheLoop_AfterOneWentPastIt_AreDropped() throws {
        let held = Kept<HTTPResponder>()
        var router = Self.router(writers: Kept(), held: held)
        router.add(.GET, "/answer-held") { _, responder in
            let target = held.take()
            // At the end of this turn, on the loop thread: two answers to the held request go to the loop's
            // mailbox, then a third goes past the loop from another thread (its bypass is open: the request was
            // held over a turn). The loop, reading its mailbox afterwards, must drop both queued ones.
            EndOfTurnQueue.current?.add {
                for answer in target { answer.respond(.text("queued 0")) }
                for answer in target { answer.respond(.text("queued 1")) }
                let done = DispatchSemaphore(value: 0)
                SystemThread.detached(name: "test-answer-direct") {
                    for answer in target { answer.respond(.text("direct")) }
                    done.signal()
                }
                _ = done.wait(timeout: .now() + .seconds(10))
            }
            responder.respond(.text("triggered"))
        }
        let server = try startServer(router, loops: 1)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let polling = try RawConnection(port: server.boundPort)
        let trigger = try RawConnection(port: server.boundPort)
        for round in 0..<3 {
            polling.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(eventually { held.first != nil })
            trigger.send("GET /answer-held HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try trigger.readResponse().text == "triggered")
            #expect(try polling.readResponse().text == "direct")
            polling.send("GET /echo/\(round) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try polling.readResponse().text == "\(round)")
        }
    }

    @Test func answersRacingAClose_LeaveLaterConnectionsClean() throws {
        let held = Kept<HTTPResponder>()
        let server = try startServer(Self.router(writers: Kept(), held: held), loops: 1)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        for _ in 0..<30 {
            let polling = try RawConnection(port: server.boundPort)
            let responder = try Self.hold("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n", on: polling, held)
            let done = DispatchSemaphore(value: 0)
            SystemThread.detached(name: "test-answer") {
                responder.respond(HTTPResponse(status: .ok, body: [UInt8](repeating: 0x61, count: 200_000)))
                done.signal()
            }
            polling.reset()
            let next = try RawConnection(port: server.boundPort)
            next.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try next.readResponse().text == "hello")
            #expect(done.wait(timeout: .now() + .seconds(10)) == .success)
        }
        #expect(eventually { server.heldRequestCount == 0 })
        #expect(eventually { server.openConnectionCount == 0 })
    }

    @Test func slowReader_GetsEveryByteInOrder_AndTheObserverCountsThem() throws {
        let writers = Kept<HTTPStreamWriter>()
        let recorder = HTTPServerObserverTests.Recorder()
        let pieces = 384  // 12 MiB: more than a loopback socket's largest send buffer (4 MiB) holds
        let pieceBytes = 32 << 10
        let server = try startServer(Self.router(writers: writers), loops: 2, observer: recorder)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let client = try RawConnection(port: server.boundPort, receiveBufferBytes: 16 << 10)
        client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readHead().status == 200)
        #expect(eventually { writers.first != nil })
        let writer = try #require(writers.first)
        SystemThread.detached(name: "test-producer") {
            let drained = DispatchSemaphore(value: 0)
            let pattern = (0..<(pieceBytes + 251)).map { UInt8($0 % 251) }
            for index in 0..<pieces {
                let start = index * pieceBytes % 251
                let piece = Array(pattern[start..<(start + pieceBytes)])
                guard writer.write(piece) else { return }
                // Back-pressure: the next piece only once the loop holds at most one piece of this stream.
                writer.whenDrained(below: pieceBytes) { drained.signal() }
                guard drained.wait(timeout: .now() + .seconds(20)) == .success else { return }
            }
            writer.finish()
        }
        usleep(200_000)  // read nothing for a while: the socket fills, the rest of a direct write goes to the loop
        var body: [UInt8] = []
        while let chunk = try client.readChunk() { body += chunk }
        #expect(body.count == pieces * pieceBytes)
        let firstWrong = body.withUnsafeBufferPointer { bytes in
            (0..<bytes.count).first { bytes[$0] != UInt8($0 % 251) }
        }
        #expect(firstWrong == nil)
        #expect(eventually { recorder.all.count == 1 })
        #expect(recorder.all.first?.responseBodyBytes == pieces * pieceBytes)
    }

    @Test func clientsGoingAway_DuringDirectWrites_LeaveLaterConnectionsClean() throws {
        let writers = Kept<HTTPStreamWriter>()
        let server = try startServer(Self.router(writers: writers), loops: 1)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        for _ in 0..<20 {
            let stream = try RawConnection(port: server.boundPort)
            stream.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try stream.readHead().status == 200)
            #expect(eventually { writers.first != nil })
            let writer = try #require(writers.take().first)
            let done = DispatchSemaphore(value: 0)
            for thread in 0..<2 {
                SystemThread.detached(name: "test-writer-\(thread)") {
                    for _ in 0..<50_000 where writer.write("data: from a writer thread\n\n") {}
                    done.signal()
                }
            }
            _ = try stream.readChunk()
            stream.reset()
            // The descriptor the server closed is likely the next one's: no stream byte may reach it.
            let next = try RawConnection(port: server.boundPort)
            for _ in 0..<3 {
                next.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try next.readResponse().text == "hello")
            }
            for _ in 0..<2 { #expect(done.wait(timeout: .now() + .seconds(20)) == .success) }
        }
        #expect(eventually { server.openConnectionCount == 0 })
    }
}
