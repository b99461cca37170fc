import FerryAPITesting
import FerryJSON
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A full disk (here: a file-size limit, `ulimit -f`, which the log sees as EFBIG like ENOSPC): produce answers
/// 507 `insufficient-storage` with nothing half-written, the server says so once (log and
/// `ferry_storage_full`), and the episode ends when an append succeeds again.
struct StorageFullTests {
    @Test func fullDisk_Answers507_GaugeAndOneWarning_ThenRecovers() async throws {
        let directory = TemporaryDirectory(prefix: "ferry-itest-full")
        defer { directory.remove() }
        let log = directory.path + "/ferry.log"
        // 8 MiB per file: a topic's active segment (128 MiB by default) hits it; other files stay small.
        let child = try await ChildServer.start(
            dataDirectory: directory.path + "/data", logPath: log, ulimit: "-f 16384")
        defer { child.kill(SIGKILL) }
        let api = child.client
        try await api.createTopic("big")
        let line = String(repeating: "x", count: 1000)
        let body = Array((0..<1000).map { _ in #"{"v":"\#(line)"}"# }.joined(separator: "\n").utf8)  // ≈ 1 MiB
        var statuses: [Int] = []
        for _ in 0..<30 {  // bounded: 30 MiB would be far past the limit
            let response = try await api.post(
                "/v1/topics/big/messages", body: body, headers: [("Content-Type", "application/x-ndjson")])
            statuses.append(response.status)
            if response.status != 200 {
                expectProblem(response, 507, "insufficient-storage")
                break
            }
        }
        #expect(statuses.last == 507, "statuses: \(statuses)")
        let stored = Int64(statuses.filter { $0 == 200 }.count) * 1000
        #expect(
            try await api.get("/v1/topics/big")["partitions"]?[0]?["end_offset"].int == stored, "nothing half-written")
        // Again: still full, still one warning.
        #expect(
            try await api.post(
                "/v1/topics/big/messages", body: body, headers: [("Content-Type", "application/x-ndjson")]
            ).status == 507)
        let metrics = PrometheusText(try await api.get("/metrics").text)
        #expect(metrics.value("ferry_storage_full") == 1)
        #expect(metrics.value("ferry_storage_full_episodes_total") == 1)
        let warnings = ChildServer.readLog(log).split(separator: "\n").filter { $0.contains("disk full") }
        #expect(warnings.count == 1, "one warning per episode: \(warnings)")

        // Space again (another topic's files are small): the episode ends.
        try await api.createTopic("small")
        #expect(try await api.post("/v1/topics/small/messages", json: #"{"records":[{"value":1}]}"#).status == 200)
        let after = PrometheusText(try await api.get("/metrics").text)
        #expect(after.value("ferry_storage_full") == 0)
        #expect(ChildServer.readLog(log).contains("disk has space again"))
    }
}
