import Dispatch
import FerryHTTP
import FerrySystem
import FerryTesting
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Stream bytes written by threads other than the connection's loop go straight to the socket while the loop
/// holds nothing of the stream (``HTTPStreamWriter/write(_:)``): in order, framed, counted, never after the end
/// of the stream nor to a descriptor the loop has closed.
@Suite("Direct stream writes")
struct StreamBypassTests {
    /// Keeps the writers of started streams.
    final class Writers: Sendable {
        let list = Mutex<[HTTPStreamWriter]>([])
        var first: HTTPStreamWriter? { list.withLock { $0.first } }
        func take() -> [HTTPStreamWriter] {
            list.withLock { list in
                defer { list = [] }
                return list
            }
        }
    }

    static func streamingRouter(_ writers: Writers) -> Router {
        var router = makeTestRouter()
        router.add(.GET, "/stream") { _, responder in
            writers.list.withLock { $0.append(responder.startStream()) }
        }
        return router
    }

    @Test func writesFromAnotherThread_ReachTheClient_WhileTheLoopIsBusy() throws {
        let writers = Writers()
        let blocked = Atomic<Bool>(false)
        let release = DispatchSemaphore(value: 0)
        var router = Self.streamingRouter(writers)
        router.add(.GET, "/block") { _, responder in
            // Holds the only loop thread on purpose (bounded): nothing it owns may move meanwhile.
            blocked.store(true, ordering: .releasing)
            _ = release.wait(timeout: .now() + .seconds(15))
            responder.respond(.text("unblocked"))
        }
        let server = try startServer(router, loops: 1)
        defer { server.shutdown(gracePeriod: .seconds(2)) }
        let stream = try RawConnection(port: server.boundPort, receiveTimeoutSeconds: 5)
        stream.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try stream.readHead().header("Transfer-Encoding") == "chunked")
        #expect(eventually { writers.first != nil })
        let writer = try #require(writers.first)
        #expect(writer.write("warm"))
        #expect(try stream.readChunk() == Array("warm".utf8))

        let other = try RawConnection(port: server.boundPort)
        other.send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(eventually { blocked.load(ordering: .acquiring) })
        // The loop is stuck in a handler: only a direct write can deliver this.
        for index in 0..<3 { #expect(writer.write("event \(index)")) }
        var received: [String] = []
        for _ in 0..<3 {
            guard let chunk = try stream.readChunk() else { break }
            received.append(String(decoding: chunk, as: UTF8.self))
        }
        release.signal()
        #expect(received == ["event 0", "event 1", "event 2"])
        #expect(try other.readResponse().text == "unblocked")

        writer.finish()
        writer.write("after the end")
        #expect(try stream.readChunk() == nil)
        // Nothing written after finish() reaches the connection: its next response parses cleanly.
        stream.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try stream.readResponse().text == "hello")
    }

    @Test func slowReader_GetsEveryByteInOrder_AndTheObserverCountsThem() throws {
        let writers = Writers()
        let recorder = HTTPServerObserverTests.Recorder()
        let pieces = 384  // 12 MiB: more than a loopback socket's largest send buffer (4 MiB) holds
        let pieceBytes = 32 << 10
        let server = try startServer(Self.streamingRouter(writers), loops: 2, observer: recorder)
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
        let writers = Writers()
        let server = try startServer(Self.streamingRouter(writers), loops: 1)
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
