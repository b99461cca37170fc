import FerryHTTP
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Timeouts are set small through configuration; the tests assert behaviour (closed or served), never timing.
@Suite("Timeouts and connection limits")
struct HTTPTimeoutTests {
    @Test func slowloris_IsDisconnected_WhileOthersAreServed() throws {
        try withServer(configure: { $0.headerTimeout = .milliseconds(300) }, router: makeTestRouter()) { _, port in
            let slow = try RawConnection(port: port)
            slow.send("GET / HTTP/1.1\r\nHost: x\r\n")
            // Meanwhile a normal client keeps getting answers.
            let normal = try RawConnection(port: port)
            for _ in 0..<5 {
                normal.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try normal.readResponse().status == 200)
            }
            // Keep dripping header bytes; the server must still cut us off.
            var closed = false
            for i in 0..<100 {
                slow.send("X-\(i): y\r\n")
                usleep(20_000)
                var byte: UInt8 = 0
                let n = recv(slow.fd, &byte, 1, Int32(MSG_DONTWAIT))
                if n == 0 || (n < 0 && errno != EAGAIN) {
                    closed = true
                    break
                }
            }
            #expect(closed)
            normal.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try normal.readResponse().status == 200)
        }
    }

    @Test func partialPipelinedHead_GetsHeaderTimeout_NotIdleTimeout() throws {
        try withServer(
            configure: {
                $0.headerTimeout = .milliseconds(150)
                $0.idleTimeout = .seconds(60)
            }, router: makeTestRouter()
        ) { server, port in
            let client = try RawConnection(port: port)
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost")
            #expect(try client.readResponse().status == 200)
            #expect(client.isClosedWithoutData())
            #expect(eventually { server.openConnectionCount == 0 })
        }
    }

    @Test func silentConnection_IsClosed_AfterHeaderTimeout() throws {
        try withServer(configure: { $0.headerTimeout = .milliseconds(100) }, router: makeTestRouter()) { server, port in
            let client = try RawConnection(port: port)
            #expect(client.isClosedWithoutData())
            #expect(eventually { server.openConnectionCount == 0 })
        }
    }

    @Test func idleKeepAlive_IsClosed_AfterIdleTimeout() throws {
        try withServer(configure: { $0.idleTimeout = .milliseconds(100) }, router: makeTestRouter()) { _, port in
            let client = try RawConnection(port: port)
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            #expect(client.isClosedWithoutData())
        }
    }

    @Test func slowBody_IsClosed_AfterBodyTimeout() throws {
        try withServer(configure: { $0.bodyTimeout = .milliseconds(100) }, router: makeTestRouter()) { server, port in
            let client = try RawConnection(port: port)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
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
