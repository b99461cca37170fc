import FerryAPI
import FerryAPITesting
import FerryBroker
import FerryHTTP
import FerryJSON
import FerryLog
import FerryServer
import FerryTesting
import Logging
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Subscriptions across restarts: a graceful restart keeps config, positions and counters; a SIGKILL of a real
/// `ferry serve` child in the middle of delivery loses no message (duplicates allowed).
struct SubscriptionRecoveryTests {
    /// Runs `body` against an in-process server over `directory` (kept), then shuts it down.
    static func withServer<T>(
        on directory: String, _ body: (APIClient) async throws -> T
    ) async throws -> T {
        let configuration = TestServer.configuration { SubscriptionDeliveryTests.fast(&$0) }
        let server = try await onDispatchThread {
            var logger = Logger(label: "ferry-itest")
            logger.logLevel = .warning
            let storage = try EmbeddedStorageEngine(dataDirectory: directory, flushPolicy: .never, logger: logger)
            let server = try FerryServer(configuration: configuration, storage: storage, logger: logger)
            try server.start()
            return server
        }
        do {
            let result = try await body(APIClient(port: server.port))
            try await onDispatchThread { server.shutdown() }
            return result
        } catch {
            try? await onDispatchThread { server.shutdown() }
            throw error
        }
    }

    @Test func restart_KeepsConfigPositionsAndCounters() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withReceiver { receiver in
            let path = "/v1/topics/t/subscriptions/s"
            let before = try await Self.withServer(on: directory.path) { client in
                try await client.createTopic("t", partitions: 2)
                try await SubscriptionDeliveryTests.subscribe(
                    client, "t",
                    #"{"name":"s","url":"\#(receiver.url())","secret":"k","batch_size":4,"max_attempts":5,"filter":{"headers":{"a":"b"}},"headers":{"X":"y"}}"#
                )
                try await SubscriptionDeliveryTests.subscribe(
                    client, "t", #"{"name":"p","url":"\#(receiver.url("/p"))"}"#)
                #expect(try await client.patch("/v1/topics/t/subscriptions/p", json: #"{"paused":true}"#).status == 200)
                try await client.produce("t", records: (0..<10).map { #"{"value":\#($0),"headers":{"a":"b"}}"# })
                return try await waitForStatus(client, path) { $0["delivered"].int == 10 && $0["lag"].int == 0 }
            }
            let deliveredBefore = receiver.received.filter { $0.path == "/hook" }.count
            try await Self.withServer(on: directory.path) { client in
                let after = try await client.get(path)
                #expect(after.status == 200)
                for key in SubscriptionAdminTests.statusKeys where key != "state" {
                    #expect(after[key] == before[key], "\(key): \(after.text) vs \(before.text)")
                }
                let paused = try await client.get("/v1/topics/t/subscriptions/p")
                #expect(paused["state"].str == "paused" && paused["lag"].int == 10)
                // Positions survived: only the new message is pushed, with the secret and headers kept.
                try await client.produce("t", records: [#"{"value":"new","headers":{"a":"b"}}"#])
                let all = try await receiver.wait { $0.filter { $0.path == "/hook" }.count > deliveredBefore }
                let newer = all.filter { $0.path == "/hook" }[deliveredBefore...]
                #expect(newer.flatMap(\.messages).map { $0["value"].str } == ["new"])
                #expect(newer.allSatisfy { $0.header("webhook-signature") != nil && $0.header("X") == "y" })
                try await waitForStatus(client, path) { $0["delivered"].int == 11 }
            }
        }
    }

    @Test func sigkill_MidDelivery_LosesNoMessage() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try await withReceiver { receiver in
            // The first 10 batches are acknowledged, then the receiver stops answering: the kill lands while a
            // batch is in flight and most messages are still undelivered.
            let answered = Atomic<Int>(0)
            receiver.setAnswer { _ in answered.add(1, ordering: .relaxed).newValue <= 10 ? .status(200) : .hang }
            let data = directory.path + "/data"
            var child = try await ChildServer.start(
                dataDirectory: data, logPath: directory.path + "/server.log", arguments: ["--fsync", "always"])
            var client = child.client
            try await client.createTopic("t", partitions: 2)
            try await SubscriptionDeliveryTests.subscribe(
                client, "t", #"{"name":"s","url":"\#(receiver.url())","batch_size":5,"start":"earliest"}"#)
            let total = 400
            for chunk in 0..<4 {
                try await client.produce(
                    "t", records: (0..<100).map { #"{"key":"k\#(chunk * 100 + $0)","value":\#(chunk * 100 + $0)}"# })
            }
            try await receiver.wait { $0.count >= 11 }
            child.kill(SIGKILL)
            receiver.setAnswer { _ in .status(200) }

            child = try await ChildServer.start(
                dataDirectory: data, logPath: directory.path + "/restarted.log", arguments: ["--fsync", "always"])
            defer { child.kill(SIGTERM) }
            client = child.client
            try await waitForStatus(client, "/v1/topics/t/subscriptions/s") { $0["lag"].int == 0 }
            let values = Set(receiver.received.flatMap(\.messages).compactMap { $0["value"].int })
            #expect(
                values == Set((0..<total).map(Int64.init)),
                "missing: \(Set((0..<total).map(Int64.init)).subtracting(values).sorted())")
            for p in 0..<2 {
                // Per partition, each delivery's offsets are consecutive and ascending.
                for delivery in receiver.received {
                    let offsets = delivery.messages.filter { $0["partition"].int == Int64(p) }.compactMap {
                        $0["offset"].int
                    }
                    #expect(offsets == offsets.sorted())
                }
            }
        }
    }
}
