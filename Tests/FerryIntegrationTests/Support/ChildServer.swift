import CFerryLinux
import FerryAPITesting
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// The real `ferry serve` binary as a child process on 127.0.0.1 and a free port, over a given data dir: for
/// tests that must kill the server (SIGKILL) and start it again on the same data.
///
/// The binary is `ferry` in the build directory of this test binary (`swift build --build-tests` builds both);
/// `FERRY_BINARY` overrides it. The child's stdout and stderr go to `<log>`; it inherits no other descriptor.
/// ``start(dataDirectory:logPath:arguments:)`` waits (bounded) for the start-up line and `/readyz` 200.
final class ChildServer: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case binaryNotFound(String)
        case spawnFailed(Int32)
        case notReady(String)

        var description: String {
            switch self {
            case .binaryNotFound(let path): "ferry binary not found at \(path) (run swift build --build-tests)"
            case .spawnFailed(let code): "posix_spawn failed: \(code)"
            case .notReady(let log): "ferry serve did not become ready; its log:\n\(log)"
            }
        }
    }

    let pid: pid_t
    let port: Int
    let client: APIClient
    let logPath: String

    private init(pid: pid_t, port: Int, logPath: String) {
        self.pid = pid
        self.port = port
        self.logPath = logPath
        self.client = APIClient(port: port)
    }

    /// `ferry` next to the running test binary (or `$FERRY_BINARY`).
    static var binaryPath: String {
        if let override = getenv("FERRY_BINARY") { return String(cString: override) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe =
            count > 0
            ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : CommandLine.arguments[0]
        return FileSystem.parentDirectory(of: exe) + "/ferry"
    }

    /// Spawns `ferry serve --port <port> --data-dir <dir> <arguments>` and waits until it answers `/readyz` with
    /// 200. Port 0 (the default) lets the server pick one, read back from its start-up line. `ulimit` runs it
    /// under those shell limits (soft and hard), e.g. `-n 256` file descriptors or `-f 20480` blocks per file.
    static func start(
        dataDirectory: String, logPath: String, port: Int = 0, arguments: [String] = [], ulimit: String? = nil
    ) async throws -> ChildServer {
        let binary = binaryPath
        guard access(binary, X_OK) == 0 else { throw Failure.binaryNotFound(binary) }
        var argv =
            [binary, "serve", "--host", "127.0.0.1", "--port", "\(port)", "--data-dir", dataDirectory, "--loops", "2"]
            + arguments
        if let ulimit {
            argv = ["/bin/sh", "-c", "ulimit \(ulimit) && exec \"$0\" \"$@\""] + argv
        }
        let pid = try spawn(argv, logPath: logPath)
        // The start-up line names the port: "ferry listening on http://127.0.0.1:PORT (...)".
        var port: Int?
        for _ in 0..<300 where port == nil {  // ≤ 30 s
            if let log = try? FileSystem.readFile(logPath), let found = Self.listeningPort(in: log) {
                port = found
            } else {
                if waitpid(pid, nil, WNOHANG) == pid { break }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        guard let port else {
            Glibc.kill(pid, SIGKILL)
            _ = waitpid(pid, nil, 0)
            throw Failure.notReady(readLog(logPath))
        }
        let child = ChildServer(pid: pid, port: port, logPath: logPath)
        for _ in 0..<300 {  // ≤ 30 s
            if let ready = try? await child.client.get("/readyz", timeout: .seconds(2)), ready.status == 200 {
                return child
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        child.kill(SIGKILL)
        throw Failure.notReady(readLog(logPath))
    }

    /// Sends `signal` and reaps the process; returns its wait status.
    @discardableResult
    func kill(_ signal: Int32) -> Int32 {
        Glibc.kill(pid, signal)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status
    }

    /// One line per thread of the child: its id, name, scheduler state (R running, S sleeping, D waiting for
    /// the disk…) and the kernel function it sleeps in (`wchan`). What a test reports when the server stops
    /// answering, so a hang can be told from a slow machine.
    func threadStates() -> String {
        let tasks = "/proc/\(pid)/task"
        guard let ids = try? FileSystem.contentsOfDirectory(tasks) else { return "\(tasks): not readable" }
        return ids.sorted().map { id in
            let name = Self.procText("\(tasks)/\(id)/comm")?.split(separator: "\n").first ?? "?"
            // The state is the field after the command name, which is in parentheses and may hold spaces.
            let stat = Self.procText("\(tasks)/\(id)/stat") ?? ""
            let state = stat.lastIndex(of: ")").flatMap { stat[stat.index(after: $0)...].split(separator: " ").first }
            return "\(id) \(name) \(state ?? "?") \(Self.procText("\(tasks)/\(id)/wchan") ?? "?")"
        }.joined(separator: "\n")
    }

    /// The text of a small /proc file (they report size 0: read until EOF, at most 4 KiB), or nil.
    static func procText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var count = 0
        while count < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress.map { $0 + count }, $0.count - count) }
            if n <= 0 { break }
            count += n
        }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    static func readLog(_ path: String) -> String {
        String(decoding: (try? FileSystem.readFile(path)) ?? [], as: UTF8.self)
    }

    static func listeningPort(in log: [UInt8]) -> Int? {
        let text = String(decoding: log, as: UTF8.self)
        guard let range = text.range(of: "listening on http://127.0.0.1:") else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    static func spawn(_ argv: [String], logPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        cferry_spawn_addclosefrom(&actions, 3)
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ)
        guard result == 0 else { throw Failure.spawnFailed(result) }
        return pid
    }
}

extension String {
    /// A minimal `range(of:)` (no Foundation).
    func range(of needle: String) -> Range<String.Index>? {
        guard !needle.isEmpty else { return nil }
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(needle) {
                return index..<self.index(index, offsetBy: needle.count)
            }
            index = self.index(after: index)
        }
        return nil
    }
}
