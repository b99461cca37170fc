import FerrySystem
import FerryTesting
import Synchronization

// ferry-bench-queue: receive+ack throughput of a queue with N concurrent workers (batches of M), next to the
// consumer-group fetch+commit rate measured the same way, against a running `ferry serve`.
//
//   ferry-bench-queue [--server http://127.0.0.1:8080] [--messages 200000] [--workers 16] [--batch 10]
//                     [--partitions 16]
//
// Each worker is one OS thread with its own keep-alive connection (FerryTesting's RawConnection: a lean blocking
// socket client, so the client costs much less CPU than the server on the shared cores). Not a test: figures depend
// on the machine. Benchmarks/queue-bench.sh builds a release server and runs this.
#if canImport(Glibc)
    import Glibc
#endif

func option(_ name: String, _ fallback: String) -> String {
    let args = CommandLine.arguments
    if let index = args.firstIndex(of: "--" + name), index + 1 < args.count { return args[index + 1] }
    return fallback
}

let server = option("server", "http://127.0.0.1:8080")
let totalMessages = Int(option("messages", "200000"))!
let workers = Int(option("workers", "16"))!
let batch = Int(option("batch", "10"))!
let partitions = Int(option("partitions", "16"))!
let port: Int = {
    guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]) else {
        fatalError("--server must be http://127.0.0.1:PORT")
    }
    return port
}()
let stamp = String(UInt32.random(in: 0...UInt32.max), radix: 16)

/// A keep-alive connection to the server (no receive timeout: a stalled server stalls the benchmark).
func connect() -> RawConnection {
    do {
        return try RawConnection(port: port, receiveTimeoutSeconds: nil, noDelay: true)
    } catch {
        fatalError("connect to 127.0.0.1:\(port): \(error)")
    }
}

/// One request (with a JSON body when `json` is given); its response body, after checking the status.
func call(
    _ connection: RawConnection, _ method: String, _ path: String, json: String? = nil, expect wanted: Int,
    _ what: String
) -> [UInt8] {
    let headers = json == nil ? [] : [(name: "Content-Type", value: "application/json")]
    let response: RawConnection.Response
    do {
        response = try connection.request(method, path, headers: headers, body: Array((json ?? "").utf8))
    } catch {
        fatalError("\(what): \(error)")
    }
    guard response.status == wanted else { fatalError("\(what): \(response.status) \(response.text)") }
    return response.body
}

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Creates a topic with `partitions` and fills it with `totalMessages` 100-byte JSON strings.
func prepareTopic(_ topic: String, partitions: Int) {
    let setup = connect()
    _ = call(
        setup, "POST", "/v1/topics", json: #"{"name":"\#(topic)","partitions":\#(partitions)}"#, expect: 201,
        "create topic")
    let value = String(repeating: "x", count: 98)
    var produced = 0
    while produced < totalMessages {
        let n = min(1000, totalMessages - produced)
        var records: [String] = []
        for i in 0..<n { records.append(#"{"value":"\#(value)","partition":\#((produced + i) % partitions)}"#) }
        let body = #"{"records":[\#(records.joined(separator: ","))]}"#
        _ = call(setup, "POST", "/v1/topics/\(topic)/messages", json: body, expect: 200, "produce")
        produced += n
    }
}

/// Runs `work` on `workers` threads until they all return; returns (messages, seconds).
func run(_ work: @escaping @Sendable (Int) -> Int) -> (Int, Double) {
    let total = Atomic<Int>(0)
    let start = now()
    let threads = (0..<workers).map { index in
        SystemThread(name: "bench-\(index)") { total.add(work(index), ordering: .relaxed) }
    }
    threads.forEach { $0.join() }
    return (total.load(ordering: .relaxed), now() - start)
}

func benchQueue(partitions: Int) -> Double {
    let topic = "bench-q\(partitions)-\(stamp)"
    prepareTopic(topic, partitions: partitions)
    let path = "/v1/topics/\(topic)/queues/work"
    let setup = connect()
    _ = call(
        setup, "POST", "/v1/topics/\(topic)/queues", json: #"{"name":"work","start":"earliest"}"#, expect: 201,
        "create queue")
    let (messages, seconds) = run { _ in
        let connection = connect()
        var done = 0
        var idle = 0
        while idle < 3 {
            let received = call(
                connection, "POST", path + "/receive", json: #"{"max_messages":\#(batch)}"#,
                expect: 200, "receive")
            let receipts = values(of: "receipt", in: received[...])
            if receipts.isEmpty {
                idle += 1
                continue
            }
            idle = 0
            let list = receipts.map { "\"\($0)\"" }.joined(separator: ",")
            let acked = call(connection, "POST", path + "/ack", json: #"{"receipts":[\#(list)]}"#, expect: 200, "ack")
            done += count(of: #""status":"ok""#, in: acked[...])
        }
        return done
    }
    precondition(messages == totalMessages, "acked \(messages) of \(totalMessages)")
    let rate = Double(messages) / seconds
    print(
        "queue receive+ack  partitions=\(partitions) workers=\(workers) batch=\(batch): \(messages) msgs in "
            + "\(String(format3(seconds))) s = \(Int(rate)) msg/s")
    return rate
}

func benchGroup(partitions: Int) -> Double {
    let topic = "bench-g\(partitions)-\(stamp)"
    prepareTopic(topic, partitions: partitions)
    let group = "bench-\(stamp)-\(partitions)"
    let setup = connect()
    // All members join first, so the fetch loop runs on a settled assignment.
    let members = (0..<workers).map { _ -> String in
        let joined = call(
            setup, "POST", "/v1/groups/\(group)/members",
            json: #"{"topics":["\#(topic)"],"auto_offset_reset":"earliest","session_timeout_ms":60000}"#, expect: 201,
            "join")
        return values(of: "member_id", in: joined[...])[0]
    }
    let (messages, seconds) = run { index in
        let member = "/v1/groups/\(group)/members/\(members[index])"
        let connection = connect()
        var done = 0
        var idle = 0
        while idle < 3 {
            let fetched = call(connection, "GET", member + "/messages?limit=\(batch)", expect: 200, "fetch")
            let n = count(of: #""offset":"#, in: fetched[...])
            if n == 0 {
                idle += 1
                continue
            }
            idle = 0
            _ = call(connection, "POST", member + "/commit", expect: 204, "commit")
            done += n
        }
        return done
    }
    let rate = Double(messages) / seconds
    print(
        "group fetch+commit partitions=\(partitions) workers=\(workers) batch=\(batch): \(messages) msgs in "
            + "\(String(format3(seconds))) s = \(Int(rate)) msg/s")
    for member in members { _ = try? setup.request("DELETE", "/v1/groups/\(group)/members/\(member)") }
    return rate
}

func format3(_ value: Double) -> String {
    let millis = Int((value * 1000).rounded())
    let fraction = String(millis % 1000)
    return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

let queueRate = benchQueue(partitions: partitions)
let groupRate = benchGroup(partitions: partitions)
var summary = "summary: queue \(Int(queueRate)) msg/s (\(partitions) partitions), "
if partitions != 1 { summary += "queue \(Int(benchQueue(partitions: 1))) msg/s (1 partition), " }
print(summary + "group fetch+commit \(Int(groupRate)) msg/s; target >= 50000 msg/s receive+ack")
