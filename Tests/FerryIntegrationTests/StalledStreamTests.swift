import FerryAPITesting
import FerryJSON
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A Server-Sent Events client that reads nothing while a lot is produced: the stream stops reading the log
/// once its client's output is backed up (bounded memory), the client is cut off after the idle timeout with
/// a log line, and other clients are served meanwhile.
struct StalledStreamTests {
    @Test func stalledSSEClient_IsCutOffWithALogLine_OthersAreServed() async throws {
        let directory = TemporaryDirectory(prefix: "ferry-itest-stall")
        defer { directory.remove() }
        let log = directory.path + "/ferry.log"
        let child = try await ChildServer.start(
            dataDirectory: directory.path + "/data", logPath: log, arguments: ["--idle-timeout-ms", "1500"])
        defer { child.kill(SIGKILL) }
        let api = child.client
        try await api.createTopic("firehose")
        let port = child.port

        // The stalled client: asks for the stream, then never reads (a small receive buffer fills quickly).
        let stalled = try #require(LoopbackSocket.connect(port: port, receiveBufferBytes: 4096))
        defer { close(stalled) }
        let request = Array(
            "GET /v1/topics/firehose/partitions/0/messages?offset=0 HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n\r\n"
                .utf8)
        _ = request.withUnsafeBytes { send(stalled, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let line = String(repeating: "y", count: 1000)
        let body = Array((0..<1000).map { _ in #"{"v":"\#(line)"}"# }.joined(separator: "\n").utf8)
        for _ in 0..<20 {  // ≈ 20 MiB while the client reads nothing
            let produced = try await api.post(
                "/v1/topics/firehose/messages", body: body, headers: [("Content-Type", "application/x-ndjson")])
            #expect(produced.status == 200)
        }
        // Another client is served at once.
        #expect(try await api.fetch("firehose", partition: 0, query: "offset=19999&limit=1").messages.count == 1)

        var cutOff = false
        for _ in 0..<100 where !cutOff {  // idle timeout 1.5 s + a sweep; bounded wait
            cutOff = ChildServer.readLog(log).contains("closing a connection whose client stopped reading")
            if !cutOff { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(cutOff, "the stalled client is cut off with a log line")
        var open: Double?
        for _ in 0..<50 {
            open = PrometheusText(try await api.get("/metrics").text).value("ferry_sse_streams_open")
            if open == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(open == 0)
    }
}
