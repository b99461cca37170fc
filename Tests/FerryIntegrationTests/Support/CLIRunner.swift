import CFerryLinux
import FerrySystem
import FerryTesting

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the built `ferry` executable (found like ``ChildServer/binaryPath``) as a child process with the given
/// arguments and standard input, and collects its exit status, standard output and standard error.
///
/// The child's stdin/stdout/stderr are temp files under /tmp (removed afterwards); it inherits no other
/// descriptor. Waiting is bounded: a child still running after `timeout` is killed and reported as such.
enum CLIRunner {
    struct Result: Sendable, CustomStringConvertible {
        /// The exit code, or nil when the child died from a signal (or was killed after the timeout).
        let exitCode: Int32?
        let standardOutput: String
        let standardError: String

        var lines: [String] { standardOutput.split(separator: "\n").map(String.init) }
        var description: String {
            "exit \(exitCode.map(String.init) ?? "signal")\nstdout: \(standardOutput)\nstderr: \(standardError)"
        }
    }

    /// Runs `ferry <arguments>` with `input` on stdin and `environment` added to (or replacing in) this process's.
    static func run(
        _ arguments: [String], input: String = "", environment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) async throws -> Result {
        let binary = ChildServer.binaryPath
        guard access(binary, X_OK) == 0 else { throw ChildServer.Failure.binaryNotFound(binary) }
        let directory = TemporaryDirectory(prefix: "ferry-cli")
        defer { directory.remove() }
        let inputPath = directory.path + "/stdin"
        let outputPath = directory.path + "/stdout"
        let errorPath = directory.path + "/stderr"
        try FileSystem.writeAtomically(inputPath, Array(input.utf8), durable: false)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        cferry_spawn_addclosefrom(&actions, 3)

        var variables: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            let name = String(text.prefix { $0 != "=" })
            if environment[name] == nil { variables.append(text) }
            index += 1
        }
        variables += environment.map { "\($0.key)=\($0.value)" }
        var cArguments: [UnsafeMutablePointer<CChar>?] = ([binary] + arguments).map { strdup($0) } + [nil]
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, nil, &cArguments, &cEnvironment)
        guard spawned == 0 else { throw ChildServer.Failure.spawnFailed(spawned) }

        var status: Int32 = 0
        var finished = false
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid {
                finished = true
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        // The loop may have slept past the deadline (a busy cooperative pool): look once more before killing.
        if !finished && waitpid(pid, &status, WNOHANG) == pid { finished = true }
        if !finished {
            kill(pid, SIGKILL)
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }
        let exited = finished && (status & 0x7F) == 0
        func read(_ path: String) -> String { String(decoding: (try? FileSystem.readFile(path)) ?? [], as: UTF8.self) }
        return Result(
            exitCode: exited ? (status >> 8) & 0xFF : nil, standardOutput: read(outputPath),
            standardError: read(errorPath))
    }
}
