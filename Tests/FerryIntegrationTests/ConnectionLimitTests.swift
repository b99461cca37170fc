import FerrySystem
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `--max-connections` counts exactly the open connections, also for a server polled from the moment it
/// starts (issue: the 16th of 16 got 503 and the gauge stayed one too high).
struct ConnectionLimitTests {
    @Test func maxConnections16_AllowsExactly16_AfterReadinessPolling_AndTheGaugeComesBack() async throws {
        let directory = TemporaryDirectory(prefix: "ferry-itest-limit")
        defer { directory.remove() }
        let port = LoopbackSocket.unusedPort()
        // Poll /readyz from before the process exists until it answers 200, as a supervisor would.
        let poller = Task.detached { () -> Int in
            for attempt in 1...30_000 {
                if let answer = try? RawConnection.exchange(
                    port: port, request: "GET /readyz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
                    answer.status == 200
                {
                    return attempt
                }
                usleep(1000)
            }
            return -1
        }
        let child = try await ChildServer.start(
            dataDirectory: directory.path + "/data", logPath: directory.path + "/ferry.log", port: port,
            arguments: ["--max-connections", "16"])
        defer { child.kill(SIGKILL) }
        #expect(await poller.value > 0)
        try await Task.sleep(for: .milliseconds(500))

        let open = try await onDispatchThread { () -> (statuses: [Int], gauge: Double?) in
            var connections: [RawConnection] = []
            var statuses: [Int] = []
            for _ in 0..<16 {
                let connection = try RawConnection(port: port)
                connection.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                statuses.append((try? connection.readResponse().status) ?? -1)
                connections.append(connection)
            }
            // The harness's own client keeps an idle connection: the 16th takes its place. When that one sits on
            // the other loop, that loop closes it on its next turn, so the gauge may read 17 for that moment.
            var gauge: Double?
            for _ in 0..<100 {
                connections[0].send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
                gauge = PrometheusText(try connections[0].readResponse().text).value("ferry_http_open_connections")
                if gauge == 16 { break }
                usleep(20_000)
            }
            return (statuses, gauge)
        }
        #expect(open.statuses == Array(repeating: 200, count: 16))
        #expect(open.gauge == 16)

        // All 16 closed: the next scrape's own connection is the only one left.
        var gauge: Double?
        for _ in 0..<100 {  // the server sees the closes within a few ms; bounded wait
            let scrape = try await rawExchange(
                port: port, request: "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            gauge = PrometheusText(String(decoding: scrape.body, as: UTF8.self)).value("ferry_http_open_connections")
            if gauge == 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(gauge == 1)
    }
}
