import ArgumentParser
import FerryJSON
import FerrySystem

#if canImport(Glibc)
    import Glibc
#endif

/// `ferry produce TOPIC`: each non-empty line of stdin (or `--file`) becomes one message, sent in batches.
struct ProduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce", abstract: "Send lines from stdin or a file as messages (one per non-empty line).")

    @OptionGroup var client: ClientOptions
    @Argument(help: "Topic name.") var topic: String
    @Option(help: "Read from this file instead of stdin.") var file: String?
    @Option(help: "Key for every message.") var key: String?
    @Option(help: "Partition for every message (default: by key, else rotating).") var partition: Int?
    @Flag(help: "Each line is a JSON value (NDJSON) instead of raw text.") var ndjson = false
    @Flag(
        help: """
            Follow --file like tail -F until SIGTERM/SIGINT: survives rotation and truncation, and resumes after \
            a restart without repeating lines (state in --state-file, batches sent with an Idempotency-Key).
            """)
    var follow = false
    @Option(help: "Where --follow keeps its position (default: <file>.ferry-follow).") var stateFile: String?
    @Option(help: .hidden) var pollIntervalMs = 200

    func validate() throws {
        if follow && file == nil { throw ValidationError("--follow needs --file FILE") }
        if pollIntervalMs < 1 { throw ValidationError("--poll-interval-ms must be >= 1") }
    }

    static let maxBatchBytes = 1 << 20
    static let maxBatchLines = 10_000

    func run() throws {
        if follow, let file { return try runFollowing(file) }
        let fd: Int32 = file.map { open($0, O_RDONLY) } ?? 0
        guard fd >= 0 else { throw ValidationError("cannot open \(file ?? "")") }
        defer { if fd != 0 { close(fd) } }
        let ferry = FerryClient(client)
        let (path, contentType) = target
        let progress = isatty(2) != 0
        let started = Self.nowSeconds()
        var sent = 0
        var pending: [UInt8] = []
        var lines = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        func flush(upTo end: Int) throws {
            guard end > 0 else { return }
            try ferry.call("POST", path, body: Array(pending[..<end]), contentType: contentType)
            pending.removeFirst(end)
            sent += lines
            lines = 0
            if progress {
                let rate = Double(sent) / max(Self.nowSeconds() - started, 0.001)
                writeStandardError("\rsent \(sent) messages (\(Int(rate)) msg/s)   ")
            }
        }
        var lineStart = 0
        var lastLineEnd = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            for byte in chunk[..<count] {
                pending.append(byte)
                if byte == UInt8(ascii: "\n") {
                    if pending.count - 1 > lineStart { lines += 1 }
                    lineStart = pending.count
                    lastLineEnd = pending.count
                    if lines >= Self.maxBatchLines || pending.count >= Self.maxBatchBytes {
                        try flush(upTo: lastLineEnd)
                        lineStart = 0
                        lastLineEnd = 0
                    }
                }
            }
        }
        if pending.count > lineStart { lines += 1 }
        if lines > 0 { try flush(upTo: pending.count) }
        if progress { writeStandardError("\n") }
        if client.json {
            print(#"{"messages":\#(sent)}"#)
        } else {
            writeStandardError("sent \(sent) messages to \(topic)\n")
        }
    }

    static func nowSeconds() -> Double { Double(MonotonicClock.nanoseconds()) / 1e9 }

    /// The request path and content type for this command's flags.
    var target: (path: String, contentType: String) {
        var path = "/v1/topics/\(FerryClient.encode(topic))/messages?"
        if !ndjson { path += "split=lines&" }
        if let key { path += "key=\(FerryClient.encode(key))&" }
        if let partition { path += "partition=\(partition)&" }
        path.removeLast()
        return (path, ndjson ? "application/x-ndjson" : "text/plain; charset=utf-8")
    }

    private func runFollowing(_ file: String) throws {
        let ferry = FerryClient(client)
        let (path, contentType) = target
        var follower = FileFollower(
            path: file, statePath: stateFile ?? file + ".ferry-follow", maxLines: Self.maxBatchLines,
            maxBytes: Self.maxBatchBytes, pollInterval: .milliseconds(pollIntervalMs)
        ) { lines, idempotencyKey, _ in
            try ferry.call(
                "POST", path, body: Array(lines), contentType: contentType,
                headers: [("Idempotency-Key", idempotencyKey)])
        }
        let sent = try follower.run()
        if client.json {
            print(#"{"messages":\#(sent)}"#)
        } else {
            writeStandardError("sent \(sent) messages to \(topic)\n")
        }
    }
}

/// Writes text to standard error (unbuffered, thread-safe: one `write` call).
func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}
