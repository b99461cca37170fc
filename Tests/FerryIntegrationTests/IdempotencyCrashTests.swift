import FerryAPITesting
import FerryJSON
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// An `Idempotency-Key` outlives a crash: a client that retries after the server was SIGKILLed and restarted —
/// the case the key exists for — gets the first answer and nothing is appended twice.
struct IdempotencyCrashTests {
    @Test(arguments: ["always", "interval"])
    func retryAfterSIGKILL_ReturnsTheSameOffsets_AndAppendsNothing(_ fsync: String) async throws {
        let directory = TemporaryDirectory(prefix: "ferry-itest-idem-crash")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let arguments = ["--fsync", fsync]
        var child = try await ChildServer.start(
            dataDirectory: data, logPath: directory.path + "/ferry-1.log", arguments: arguments)
        do {
            try await child.client.createTopic("orders", partitions: 2)
            let body = #"{"records":[{"value":{"id":1},"partition":1},{"value":{"id":2},"partition":0}]}"#
            let key = [("Idempotency-Key", "order-7 retry\tsafe")]
            let first = try await child.client.post("/v1/topics/orders/messages", json: body, headers: key)
            #expect(first.status == 200)
            // A conflicting reuse is remembered too.
            let reused = try await child.client.post(
                "/v1/topics/orders/messages", json: #"{"records":[{"value":3}]}"#,
                headers: [("Idempotency-Key", "other")])
            #expect(reused.status == 200)
            if fsync == "interval" { try await Task.sleep(for: .milliseconds(600)) }  // past the flush interval

            #expect(child.kill(SIGKILL) & 0x7f == SIGKILL)
            child = try await ChildServer.start(
                dataDirectory: data, logPath: directory.path + "/ferry-2.log", arguments: arguments)

            let again = try await child.client.post("/v1/topics/orders/messages", json: body, headers: key)
            #expect(again.status == 200)
            #expect(again.body == first.body, "the same offsets, byte for byte")
            let described = try await child.client.get("/v1/topics/orders")
            #expect(described["partitions"]?.list?.map { $0["end_offset"].int } == [2, 1], "nothing appended twice")
            expectProblem(
                try await child.client.post(
                    "/v1/topics/orders/messages", json: body, headers: [("Idempotency-Key", "other")]),
                409, "idempotency-key-reused")
            child.kill(SIGTERM)
        } catch {
            child.kill(SIGKILL)
            throw error
        }
    }
}
