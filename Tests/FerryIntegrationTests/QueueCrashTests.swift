import FerryAPITesting
import FerryJSON
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Queue state across a SIGKILL of a real `ferry serve` child under `--fsync always`.
struct QueueCrashTests {
    @Test func sigkill_LosesNoAck_AndRedeliversOnlyUnacked() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = directory.path + "/server.log"
        let data = directory.path + "/data"
        var child = try await ChildServer.start(dataDirectory: data, logPath: log, arguments: ["--fsync", "always"])
        var client = child.client
        let path = "/v1/topics/t/queues/q"
        try await client.createTopic("t", partitions: 2)
        try await QueueTests.produce(client, "t", count: 200)
        #expect(try await client.post("/v1/topics/t/queues", json: #"{"name":"q","start":"earliest"}"#).status == 201)

        var acked = Set<String>()
        for _ in 0..<10 {
            let got = try await QueueTests.receive(client, path, #"{"max_messages":10}"#)
            let statuses = try await QueueTests.settle(client, path, "ack", got.compactMap { $0["receipt"].str })
            #expect(statuses == Array(repeating: "ok", count: got.count))
            for message in got { acked.insert(Self.id(message)) }
        }
        let inFlight = Set(
            try await QueueTests.receive(client, path, #"{"max_messages":20,"lease_ms":600000}"#).map(Self.id))
        #expect(acked.count == 100 && inFlight.count == 20)
        child.kill(SIGKILL)

        child = try await ChildServer.start(
            dataDirectory: data, logPath: directory.path + "/restarted.log", arguments: ["--fsync", "always"])
        defer { child.kill(SIGTERM) }
        client = child.client
        let status = try await QueueTests.status(client, path)
        #expect(status["acked"].int == 100 && status["available"].int == 100 && status["leased"].int == 0)
        var redelivered: [String: Int64] = [:]
        for _ in 0..<20 {
            let got = try await QueueTests.receive(client, path, #"{"max_messages":50}"#)
            if got.isEmpty { break }
            for message in got { redelivered[Self.id(message)] = message["delivery_count"].int ?? 0 }
        }
        #expect(redelivered.count == 100)
        #expect(Set(redelivered.keys).isDisjoint(with: acked))
        for (id, count) in redelivered { #expect(count == (inFlight.contains(id) ? 2 : 1), "\(id)") }
    }

    static func id(_ message: JSONValue) -> String {
        "\(message["partition"].int ?? -1)/\(message["offset"].int ?? -1)"
    }
}
