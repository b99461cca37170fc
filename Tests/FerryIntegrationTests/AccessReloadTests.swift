import FerrySystem
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `ferry serve --auth-file`: SIGHUP re-reads the file without dropping connections; a bad file keeps the old
/// tokens; tokens never reach the log.
struct AccessReloadTests {
    static func tokens(_ token: String) -> [UInt8] {
        Array(#"{"tokens":[{"name":"ops","token":"\#(token)","rights":[{"right":"admin","topics":"*"}]}]}"#.utf8)
    }

    static func get(_ connection: RawConnection, token: String) throws -> Int {
        connection.send("GET /v1/topics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n")
        return try connection.readResponse().status
    }

    @Test func sighup_ReloadsTokens_KeepingOpenConnections_AndBadFileKeepsOldTokens() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let authFile = directory.path + "/tokens.json"
        let log = directory.path + "/server.log"
        let first = "first-SECRET-4f1c"
        let second = "second-SECRET-9a7e"
        try FileSystem.writeAtomically(authFile, Self.tokens(first), durable: false)
        let child = try await ChildServer.start(
            dataDirectory: directory.path + "/data", logPath: log,
            arguments: ["--auth-file", authFile, "--log-level", "trace"])
        defer { child.kill(SIGTERM) }
        let port = child.port
        let pid = child.pid
        try await onDispatchThread {
            let connection = try RawConnection(port: port)
            #expect(try Self.get(connection, token: first) == 200)
            #expect(try Self.get(connection, token: second) == 401)

            try FileSystem.writeAtomically(authFile, Self.tokens(second), durable: false)
            kill(pid, SIGHUP)
            var reloaded = false
            for _ in 0..<200 where !reloaded {  // ≤ 10 s; the same keep-alive connection throughout
                reloaded = try Self.get(connection, token: second) == 200
                if !reloaded { usleep(50_000) }
            }
            #expect(reloaded)
            #expect(try Self.get(connection, token: first) == 401)

            try FileSystem.writeAtomically(authFile, Array("{not json".utf8), durable: false)
            kill(pid, SIGHUP)
            var logged = false
            for _ in 0..<200 where !logged {
                logged = ChildServer.readLog(log).contains("reload failed")
                if !logged { usleep(50_000) }
            }
            #expect(logged)
            #expect(try Self.get(connection, token: second) == 200)
        }
        let text = ChildServer.readLog(log)
        #expect(text.contains("msg=request"), "access log lines expected at trace level")
        #expect(text.contains(" user=ops"), "the access log names the token (never the token itself)")
        #expect(!text.contains(first) && !text.contains(second), "a token reached the log")
        #expect(!text.contains("Bearer"), "an Authorization header reached the log")
    }
}
