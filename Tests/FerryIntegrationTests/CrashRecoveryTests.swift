import FerryAPITesting
import FerryJSON
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real `ferry serve` process killed with SIGKILL and started again on the same data dir (API.md "Consumer
/// groups": committed offsets survive a crash; "Produce": acknowledged messages are readable).
struct CrashRecoveryTests {
    @Test func committedOffsetsAndMessages_SurviveSIGKILL() async throws {
        let directory = TemporaryDirectory(prefix: "ferry-itest-crash")
        defer { directory.remove() }
        let data = directory.path + "/data"
        // One log per start: each start looks for its own "listening on" line.
        let logs = (directory.path + "/ferry-1.log", directory.path + "/ferry-2.log")
        let arguments = ["--fsync", "always"]

        var child = try await ChildServer.start(dataDirectory: data, logPath: logs.0, arguments: arguments)
        var api = child.client
        do {
            try await api.createTopic("crash", partitions: 2)
            try await api.produce(
                "crash", records: (0..<20).map { #"{"key":"k\#($0)","value":\#($0),"partition":\#($0 % 2)}"# })
            let (member, _) = try await api.join("g", body: #"{"topics":["crash"],"auto_offset_reset":"earliest"}"#)
            let first = try await api.get("/v1/groups/g/members/\(member)/messages?limit=7")
            #expect(first.messages.count == 7)
            #expect(try await api.post("/v1/groups/g/members/\(member)/commit", json: "").status == 204)
            let committed = try await api.get("/v1/groups/g")["offsets"].list ?? []
            // More messages after the commit, acknowledged before the crash.
            try await api.produce("crash", records: (20..<25).map { #"{"value":\#($0),"partition":\#($0 % 2)}"# })

            let status = child.kill(SIGKILL)
            #expect(status & 0x7f == SIGKILL, "the server died of SIGKILL (wait status \(status))")

            child = try await ChildServer.start(dataDirectory: data, logPath: logs.1, arguments: arguments)
            api = child.client
            // Every acknowledged message is there.
            let described = try await api.get("/v1/topics/crash")
            #expect(described["partitions"]?.list?.map { $0["end_offset"].int } == [13, 12])
            var values: [Int64] = []
            for partition in 0..<2 {
                let fetched = try await api.fetch("crash", partition: partition, query: "limit=100")
                values += fetched.messages.compactMap { $0["value"].int }
            }
            #expect(values.sorted() == (0..<25).map { Int64($0) })
            // The committed offsets are as they were.
            let after = try await api.get("/v1/groups/g")
            #expect(after.status == 200, "\(after.text)")
            #expect(
                after["offsets"].list?.map { $0["committed_offset"].int }
                    == committed.map { $0["committed_offset"].int })
            // Rejoining resumes exactly at the committed offsets: with what was read before, every message once.
            let (again, _) = try await api.join("g", body: #"{"topics":["crash"],"auto_offset_reset":"earliest"}"#)
            let rest = try await GroupMembershipTests.drain(api, group: "g", member: again)
            let seen = GroupMembershipTests.ids(first.messages) + GroupMembershipTests.ids(rest)
            #expect(seen.count == 25, "deliveries: \(seen)")
            #expect(Set(seen).count == 25)
            child.kill(SIGTERM)
        } catch {
            child.kill(SIGKILL)
            throw error
        }
    }

    @Test func sigterm_StopsTheServerCleanly_WithExitZero_AndStateSurvivesRestart() async throws {
        let directory = TemporaryDirectory(prefix: "ferry-itest-term")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let child = try await ChildServer.start(dataDirectory: data, logPath: directory.path + "/ferry-1.log")
        do {
            try await child.client.produce("t", records: [#"{"value":1}"#, #"{"value":2}"#])
            let (member, _) = try await child.client.join(
                "g", body: #"{"topics":["t"],"auto_offset_reset":"earliest"}"#)
            _ = try await child.client.get("/v1/groups/g/members/\(member)/messages?limit=1")
            #expect(try await child.client.post("/v1/groups/g/members/\(member)/commit", json: "").status == 204)
        } catch {
            child.kill(SIGKILL)
            throw error
        }
        let status = child.kill(SIGTERM)
        #expect(status & 0x7f == 0, "exited normally (wait status \(status))")
        #expect((status >> 8) & 0xff == 0, "exit code 0")
        let restarted = try await ChildServer.start(dataDirectory: data, logPath: directory.path + "/ferry-2.log")
        defer { restarted.kill(SIGKILL) }
        #expect(try await restarted.client.fetch("t").messages.count == 2)
        #expect(try await restarted.client.get("/v1/groups/g")["offsets"]?[0]?["committed_offset"].int == 1)
    }
}
