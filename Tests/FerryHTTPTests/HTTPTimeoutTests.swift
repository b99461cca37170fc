import FerryHTTP
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Timeouts run on a manual clock (``HTTPServer/Configuration/clock``): a test moves it past a deadline and sees
/// the connection closed at the loops' next sweep. Nothing sleeps for a timeout to pass and nothing asserts timing;
/// the waits below are bounds against hanging. The exact deadlines are unit-tested in
/// `ConnectionStateMachineTests`.
@Suite("Timeouts and connection limits")
struct HTTPTimeoutTests {
    @Test func slowloris_IsDisconnected_WhileOthersAreServed() throws {
        let clock = ManualClock()
        try withServer(configure: { $0.clock = clock.monotonic }, router: makeTestRouter()) { server, port in
            let slow = try RawConnection(port: port)
            slow.send("GET / HTTP/1.1\r\nHost: x\r\n")
            // Meanwhile a normal client keeps getting answers.
            let normal = try RawConnection(port: port)
            for _ in 0..<5 {
                normal.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try normal.readResponse().status == 200)
            }
            #expect(eventually { server.openConnectionCount == 2 })
            // Header bytes dripping in do not extend the header timeout (10 s from accept).
            for i in 0..<9 {
                clock.advance(by: 1000)
                slow.send("X-\(i): y\r\n")
            }
            #expect(!isClosedNow(slow))
            clock.advance(by: 1000)
            #expect(eventually { isClosedNow(slow) })
            normal.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try normal.readResponse().status == 200)
        }
    }

    @Test func partialPipelinedHead_GetsHeaderTimeout_NotIdleTimeout() throws {
        let clock = ManualClock()
        try withServer(
            configure: {
                $0.clock = clock.monotonic
                $0.headerTimeout = .seconds(10)
                $0.idleTimeout = .seconds(600)
            }, router: makeTestRouter()
        ) { server, port in
            let client = try RawConnection(port: port)
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost")
            #expect(try client.readResponse().status == 200)
            // Far below the idle timeout: only the header timeout can close it.
            #expect(advance(clock, byMilliseconds: 10_000, atMost: 5) { isClosedNow(client) })
            #expect(eventually { server.openConnectionCount == 0 })
        }
    }

    @Test func silentConnection_IsClosed_AfterHeaderTimeout() throws {
        let clock = ManualClock()
        try withServer(configure: { $0.clock = clock.monotonic }, router: makeTestRouter()) { server, port in
            let client = try RawConnection(port: port)
            #expect(eventually { server.openConnectionCount == 1 })
            clock.advance(by: 10_000)
            #expect(client.isClosedWithoutData())
            #expect(eventually { server.openConnectionCount == 0 })
        }
    }

    @Test func idleKeepAlive_IsClosed_AfterIdleTimeout() throws {
        let clock = ManualClock()
        try withServer(configure: { $0.clock = clock.monotonic }, router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            clock.advance(by: 60_000)
            #expect(client.isClosedWithoutData())
        }
    }

    @Test func slowBody_IsClosed_AfterBodyTimeout() throws {
        let clock = ManualClock()
        try withServer(
            configure: {
                $0.clock = clock.monotonic
                $0.bodyTimeout = .seconds(10)
                $0.headerTimeout = .seconds(600)
            }, router: makeTestRouter()
        ) { server, port in
            let client = try RawConnection(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            // Far below the header timeout: only the body timeout can close it.
            #expect(advance(clock, byMilliseconds: 10_000, atMost: 5) { isClosedNow(client) })
            #expect(eventually { server.openConnectionCount == 0 })
        }
    }

    @Test func realClock_StillTimesOut() throws {
        try withServer(configure: { $0.headerTimeout = .milliseconds(100) }, router: makeTestRouter()) { server, port in
            let client = try RawConnection(port: port)
            #expect(client.isClosedWithoutData())
            #expect(eventually { server.openConnectionCount == 0 })
        }
    }

    @Test func connectionsOverLimit_Get503AndClose() throws {
        try withServer(configure: { $0.maxConnections = 3 }, router: makeTestRouter()) { server, port in
            let kept = try (0..<3).map { _ in try RawConnection(port: port) }
            #expect(eventually { server.openConnectionCount == 3 })
            let extra = try RawConnection(port: port)
            let response = try extra.readResponse()
            #expect(response.status == 503)
            #expect(response.text.contains("urn:ferry:error:unavailable"))
            for client in kept {
                client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
        }
    }

    @Test func thousandIdleConnections_AreHeld_AndServed() throws {
        try withServer(router: makeTestRouter()) { server, port in
            let clients = try (0..<1000).map { _ in try RawConnection(port: port) }
            #expect(eventually { server.openConnectionCount == 1000 })
            for client in clients.enumerated() where client.offset % 50 == 0 {
                client.element.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try client.element.readResponse().status == 200)
            }
            #expect(server.openConnectionCount == 1000)
        }
    }
}

/// True when the server has closed `connection` (EOF or reset); never blocks.
private func isClosedNow(_ connection: RawConnection) -> Bool {
    var byte: UInt8 = 0
    let n = recv(connection.fd, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
    return n == 0 || (n < 0 && errno == ECONNRESET)
}

/// Moves `clock` forward `milliseconds` at a time, at most `steps` times, until `condition` holds (checked for a
/// bounded while after each step, for the loops' next sweep). Stepping covers a deadline set a moment after the
/// test's last action (the loop may not have read the bytes yet when the clock first moves).
private func advance(
    _ clock: ManualClock, byMilliseconds milliseconds: Int64, atMost steps: Int, until condition: () -> Bool
) -> Bool {
    for _ in 0..<steps {
        clock.advance(by: milliseconds)
        if eventually(seconds: 2, condition) { return true }
    }
    return false
}
