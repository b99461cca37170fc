import FerrySystem
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Out of file descriptors (`ulimit -n 256`, 400 clients): the server keeps a reserve of descriptors free,
/// keeps serving the connections it has, does not spin on a listener it cannot accept from, logs one warning,
/// and accepts again once descriptors free up.
struct DescriptorExhaustionTests {
    /// The process's user + system CPU seconds, from /proc/PID/stat (fields 14 and 15, in clock ticks).
    static func cpuSeconds(_ pid: pid_t) -> Double? {
        guard let text = ChildServer.procText("/proc/\(pid)/stat") else { return nil }
        // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): utime is field 14 → index 11, stime 15 → index 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func count(_ needle: String, in path: String) -> Int {
        ChildServer.readLog(path).split(separator: "\n").filter { $0.contains(needle) }.count
    }

    /// The status of `GET /healthz` on a fresh connection, retried (about 10 s at most) while the server's
    /// backlog drains; -1 if it never answered.
    static func healthzStatusOnAFreshConnection(port: Int) async throws -> Int {
        var status = -1
        for _ in 0..<100 where status != 200 {
            status =
                (try? await rawExchange(
                    port: port, request: "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"))?.status ?? -1
            if status != 200 { try await Task.sleep(for: .milliseconds(100)) }
        }
        return status
    }

    @Test func outOfDescriptors_KeepsServing_DoesNotSpin_WarnsOnce_AndRecovers() async throws {
        let directory = TemporaryDirectory(prefix: "ferry-itest-fds")
        defer { directory.remove() }
        let log = directory.path + "/ferry.log"
        let child = try await ChildServer.start(
            dataDirectory: directory.path + "/data", logPath: log, ulimit: "-n 256")
        defer { child.kill(SIGKILL) }
        let port = child.port

        let outcome = try await onDispatchThread {
            () -> (served: Int, extraConnected: Int, cpu: Double?, stillServed: Int, threads: String, open: Int) in
            var connections: [RawConnection] = []
            for _ in 0..<400 {
                // Connecting succeeds from the backlog even when the server cannot accept.
                if let connection = try? RawConnection(port: port, receiveTimeoutSeconds: 2) {
                    connections.append(connection)
                }
            }
            // The first connections were accepted: they are served.
            connections[0].send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            let served = (try? connections[0].readResponse().status) ?? -1
            let before = Self.cpuSeconds(child.pid)
            sleep(2)
            let after = Self.cpuSeconds(child.pid)
            let open = (try? FileSystem.contentsOfDirectory("/proc/\(child.pid)/fd").count) ?? -1
            connections[1].send("GET /v1/topics HTTP/1.1\r\nHost: t\r\n\r\n")
            let stillServed = (try? connections[1].readResponse().status) ?? -1
            let threads = stillServed == 200 ? "" : child.threadStates()
            let cpu = before.flatMap { b in after.map { $0 - b } }
            let extra = connections.count
            connections.removeAll()  // closes every client socket: the server's descriptors free up
            return (served, extra, cpu, stillServed, threads, open)
        }
        #expect(outcome.extraConnected == 400)
        #expect(outcome.served == 200)
        // Connections leave a reserve (32 of 256) for files, sockets and libdispatch, which aborts the process
        // when it cannot open /proc/<tid>/stat.
        #expect(outcome.open > 0 && outcome.open <= 256 - 32, "open descriptors: \(outcome.open)")
        #expect(outcome.stillServed == 200, "the server's threads:\n\(outcome.threads)")
        // A loop spinning on a readable listener burns a whole core (≈ 2 s of CPU in 2 s); paused, it idles.
        let cpu = outcome.cpu ?? .infinity
        #expect(cpu < 0.5, "server CPU while out of descriptors: \(cpu) s in 2 s")

        // Accepting again: a fresh connection is served.
        let status = try await Self.healthzStatusOnAFreshConnection(port: port)
        #expect(status == 200, "the server's threads:\n\(child.threadStates())\nits log:\n\(ChildServer.readLog(log))")
        #expect(Self.count("cannot accept connections", in: log) == 1, "one warning per episode")
        #expect(Self.count("accepting connections again", in: log) >= 1)
    }

    /// The same on the Kafka door: 400 clients on `--kafka-port` under `ulimit -n 256` make the listener pause
    /// (it spun on a listener it could not accept from), the process keeps its reserve, and HTTP goes on.
    @Test func outOfDescriptors_OnTheKafkaPort_DoesNotSpin_KeepsTheReserve_AndHTTPGoesOn() async throws {
        let directory = TemporaryDirectory(prefix: "ferry-itest-kafka-fds")
        defer { directory.remove() }
        let kafkaPort = LoopbackSocket.unusedPort()
        let log = directory.path + "/ferry.log"
        let child = try await ChildServer.start(
            dataDirectory: directory.path + "/data", logPath: log, arguments: ["--kafka-port", "\(kafkaPort)"],
            ulimit: "-n 256")
        defer { child.kill(SIGKILL) }
        let port = child.port

        let outcome = try await onDispatchThread { () -> (cpu: Double?, open: Int, served: Int, threads: String) in
            guard let http = try? RawConnection(port: port, receiveTimeoutSeconds: 5) else { return (nil, -1, -1, "") }
            var clients: [RawConnection] = []
            for _ in 0..<400 {
                if let client = try? RawConnection(port: kafkaPort, receiveTimeoutSeconds: 2) { clients.append(client) }
            }
            sleep(1)  // the loops reach the reserve and pause
            let before = Self.cpuSeconds(child.pid)
            sleep(2)
            let after = Self.cpuSeconds(child.pid)
            let open = (try? FileSystem.contentsOfDirectory("/proc/\(child.pid)/fd").count) ?? -1
            http.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            let served = (try? http.readResponse().status) ?? -1
            let threads = served == 200 ? "" : child.threadStates()
            clients.removeAll()
            return (before.flatMap { b in after.map { $0 - b } }, open, served, threads)
        }
        let cpu = outcome.cpu ?? .infinity
        #expect(cpu < 0.5, "server CPU while out of descriptors: \(cpu) s in 2 s")
        #expect(outcome.open > 0 && outcome.open <= 256 - 32, "open descriptors: \(outcome.open)")
        #expect(outcome.served == 200, "the server's threads:\n\(outcome.threads)")
        #expect(Self.count("Kafka listener cannot accept connections", in: log) >= 1)
        let status = try await Self.healthzStatusOnAFreshConnection(port: port)
        #expect(status == 200, "the server's threads:\n\(child.threadStates())\nits log:\n\(ChildServer.readLog(log))")
    }
}
