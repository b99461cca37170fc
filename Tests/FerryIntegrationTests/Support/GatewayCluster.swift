import FerryAPITesting
import FerryBroker
import FerryJSON
import FerrySystem
import FerryTesting
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Several real `ferry serve --storage kafka` gateways (children, kill -9 able) sharing one librdkafka mock
/// cluster hosted by a `ferry kafka-mock` child: one Ferry cluster, for tests that send every request to a
/// random node and kill owners. Short Kafka session timeout (3 s), so ownership moves within seconds.
final class GatewayCluster: Sendable {
    static let stateShards = 8
    static let sessionTimeoutMilliseconds = 3_000

    let directory: TemporaryDirectory
    let mockPID: pid_t
    let bootstrap: String
    private let nodes = Mutex<[Int: ChildServer]>([:])
    private let starts = Mutex<[Int: Int]>([:])

    private init(directory: TemporaryDirectory, mockPID: pid_t, bootstrap: String) {
        self.directory = directory
        self.mockPID = mockPID
        self.bootstrap = bootstrap
    }

    /// Starts the mock (with `topics`, "NAME:PARTITIONS") and `count` gateways `n0`…, and waits until every
    /// state shard is owned by a live node that all know of.
    static func start(count: Int = 3, topics: [String]) async throws -> GatewayCluster {
        let directory = TemporaryDirectory()
        let mockLog = directory.path + "/mock.log"
        let arguments =
            [ChildServer.binaryPath, "kafka-mock", "--state-shards", "\(stateShards)"]
            + topics.flatMap { ["--topic", $0] }
        let pid = try ChildServer.spawn(arguments, logPath: mockLog)
        var bootstrap: String?
        for _ in 0..<100 where bootstrap == nil {  // ≤ 10 s
            let text = ChildServer.readLog(mockLog)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("127.0.0.1:") }) {
                bootstrap = String(line)
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        guard let bootstrap else {
            Glibc.kill(pid, SIGKILL)
            _ = waitpid(pid, nil, 0)
            throw ChildServer.Failure.notReady(ChildServer.readLog(mockLog))
        }
        let cluster = GatewayCluster(directory: directory, mockPID: pid, bootstrap: bootstrap)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count { group.addTask { try await cluster.startNode(index) } }
                try await group.waitForAll()
            }
            try await cluster.waitUntilSettled(alive: Set(0..<count))
        } catch {
            cluster.stop()
            throw error
        }
        return cluster
    }

    /// Starts (or restarts) gateway `n<index>` and waits for its `/readyz`.
    func startNode(_ index: Int) async throws {
        // A fresh log per start: the start-up line that names the port is the first one in it.
        let start = starts.withLock { starts in
            starts[index, default: 0] += 1
            return starts[index, default: 0]
        }
        let child = try await ChildServer.start(
            dataDirectory: directory.path + "/n\(index)", logPath: directory.path + "/n\(index)-\(start).log",
            arguments: [
                "--storage", "kafka", "--kafka-bootstrap", bootstrap, "--node-id", "n\(index)",
                "--cluster-session-timeout-ms", "\(Self.sessionTimeoutMilliseconds)",
            ])
        nodes.withLock { $0[index] = child }
    }

    /// SIGKILLs gateway `index` (no goodbye: Kafka notices after the session timeout).
    func kill(_ index: Int) {
        let child = nodes.withLock { $0.removeValue(forKey: index) }
        child?.kill(SIGKILL)
    }

    var aliveIndices: [Int] { nodes.withLock { $0.keys.sorted() } }

    func client(_ index: Int) -> APIClient? { nodes.withLock { $0[index]?.client } }

    /// A random live gateway's client.
    func anyClient() -> APIClient? { nodes.withLock { $0.values.randomElement()?.client } }

    /// `GET /v1/cluster` from a live node.
    func describe() async throws -> JSONValue? {
        guard let client = anyClient() else { return nil }
        let answer = try await client.get("/v1/cluster", timeout: .seconds(5))
        return answer.status == 200 ? answer.json : nil
    }

    /// Waits (≤ 40 s) until the nodes `alive` are the live ones every node knows, and every state shard is held
    /// by one of them.
    func waitUntilSettled(alive: Set<Int>) async throws {
        for _ in 0..<400 {
            if try await isSettled(alive: alive) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SettleTimeout(
            description: "cluster did not settle on \(alive): \(String(describing: try? await describe()))")
    }

    struct SettleTimeout: Error, CustomStringConvertible { let description: String }

    private func isSettled(alive: Set<Int>) async throws -> Bool {
        for index in alive {
            guard let client = client(index),
                let answer = try? await client.get("/v1/cluster", timeout: .seconds(5)), answer.status == 200,
                let nodes = answer["nodes"].list
            else { return false }
            let live = nodes.filter { $0["alive"] == .bool(true) }
            guard Set(live.compactMap { $0["node_id"].str }) == Set(alive.map { "n\($0)" }) else { return false }
            let held = live.flatMap { $0["shards"].list ?? [] }.compactMap(\.int)
            guard held.count == Self.stateShards, Set(held) == Set((0..<Int64(Self.stateShards))) else {
                return false
            }
        }
        return true
    }

    /// The index of the live node that owns `key`'s shard now, if one is named.
    func owner(of key: StateShardKey) async throws -> Int? {
        let shard = Int64(key.shard(among: Self.stateShards))
        guard let nodes = try await describe()?["nodes"].list else { return nil }
        let owner = nodes.first { $0["alive"] == .bool(true) && ($0["shards"].list ?? []).contains { $0.int == shard } }
        return owner?["node_id"].str.flatMap { Int($0.dropFirst()) }
    }

    /// Sends a request through random live nodes until one answers other than 503 (ownership moving) or a
    /// connection failure (a node just killed), for up to `seconds`.
    func send(
        seconds: Int = 30, _ request: @Sendable (APIClient) async throws -> APIResponse
    ) async throws -> APIResponse {
        var last: APIResponse?
        for _ in 0..<(seconds * 10) {
            if let client = anyClient() {
                do {
                    let answer = try await request(client)
                    if answer.status != 503 { return answer }
                    last = answer
                } catch {
                    // A node that was just killed: another one answers.
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        if let last { return last }
        throw SettleTimeout(description: "no node answered in \(seconds) s")
    }

    /// Stops every gateway and the mock; keeps nothing.
    func stop() {
        let all = nodes.withLock { nodes in
            defer { nodes = [:] }
            return Array(nodes.values)
        }
        for child in all { child.kill(SIGKILL) }
        Glibc.kill(mockPID, SIGKILL)
        _ = waitpid(mockPID, nil, 0)
        directory.remove()
    }
}
