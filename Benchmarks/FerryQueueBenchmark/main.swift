// ferry-bench-queue: receive+ack throughput of a queue with N concurrent workers (batches of M), next to the
// consumer-group fetch+commit rate measured the same way, against a running `ferry serve`.
//
//   ferry-bench-queue [--server http://127.0.0.1:8080] [--messages 200000] [--workers 16] [--batch 10]
//                     [--partitions 16]
//
// Each worker is one OS thread with its own keep-alive connection (blocking libcurl). Not a test: figures depend
// on the machine. Benchmarks/queue-bench.sh builds a release server and runs this.
#if canImport(Glibc)
import Glibc
#endif
import FerryCurl
import FerrySystem
import Synchronization

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
let client = CurlHTTPClient(maxIdleHandles: workers + 4)
let stamp = String(UInt32.random(in: 0...UInt32.max), radix: 16)

func call(_ method: String, _ path: String, _ body: String = "") -> CurlResponse {
    let headers: [(name: String, value: String)] = method == "GET" ? [] : [("Content-Type", "application/json")]
    do {
        return try client.send(CurlRequest(method: method, url: server + path, headers: headers, body: Array(body.utf8)))
    } catch {
        fatalError("\(method) \(path): \(error)")
    }
}

func expect(_ response: CurlResponse, _ status: Int, _ what: String) {
    guard response.status == status else { fatalError("\(what): \(response.status) \(response.bodyText)") }
}

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Every string value of `"name":"…"` members in a JSON body (receipts, member ids hold no escapes).
func values(of name: String, in body: [UInt8]) -> [String] {
    let needle = Array("\"\(name)\":\"".utf8)
    var found: [String] = []
    var index = 0
    while index + needle.count <= body.count {
        if body[index] == needle[0] && Array(body[index..<index + needle.count]) == needle {
            let start = index + needle.count
            var end = start
            while end < body.count && body[end] != UInt8(ascii: "\"") { end += 1 }
            found.append(String(decoding: body[start..<end], as: UTF8.self))
            index = end
        } else {
            index += 1
        }
    }
    return found
}

func count(of needle: String, in body: [UInt8]) -> Int {
    let bytes = Array(needle.utf8)
    var total = 0
    var index = 0
    while index + bytes.count <= body.count {
        if body[index] == bytes[0] && Array(body[index..<index + bytes.count]) == bytes { total += 1; index += bytes.count }
        else { index += 1 }
    }
    return total
}

/// Creates a topic with `partitions` and fills it with `totalMessages` 100-byte JSON strings.
func prepareTopic(_ topic: String, partitions: Int) {
    expect(call("POST", "/v1/topics", #"{"name":"\#(topic)","partitions":\#(partitions)}"#), 201, "create topic")
    let value = String(repeating: "x", count: 98)
    var produced = 0
    while produced < totalMessages {
        let n = min(1000, totalMessages - produced)
        var records: [String] = []
        for i in 0..<n { records.append(#"{"value":"\#(value)","partition":\#((produced + i) % partitions)}"#) }
        expect(call("POST", "/v1/topics/\(topic)/messages", #"{"records":[\#(records.joined(separator: ","))]}"#), 200, "produce")
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
    expect(call("POST", "/v1/topics/\(topic)/queues", #"{"name":"work","start":"earliest"}"#), 201, "create queue")
    let (messages, seconds) = run { _ in
        var done = 0
        var idle = 0
        while idle < 3 {
            let received = call("POST", path + "/receive", #"{"max_messages":\#(batch)}"#)
            expect(received, 200, "receive")
            let receipts = values(of: "receipt", in: received.body)
            if receipts.isEmpty { idle += 1; continue }
            idle = 0
            let list = receipts.map { "\"\($0)\"" }.joined(separator: ",")
            let acked = call("POST", path + "/ack", #"{"receipts":[\#(list)]}"#)
            expect(acked, 200, "ack")
            done += count(of: #""status":"ok""#, in: acked.body)
        }
        return done
    }
    precondition(messages == totalMessages, "acked \(messages) of \(totalMessages)")
    let rate = Double(messages) / seconds
    print("queue receive+ack  partitions=\(partitions) workers=\(workers) batch=\(batch): \(messages) msgs in "
        + "\(String(format3(seconds))) s = \(Int(rate)) msg/s")
    return rate
}

func benchGroup(partitions: Int) -> Double {
    let topic = "bench-g\(partitions)-\(stamp)"
    prepareTopic(topic, partitions: partitions)
    let group = "bench-\(stamp)-\(partitions)"
    // All members join first, so the fetch loop runs on a settled assignment.
    let members = (0..<workers).map { _ -> String in
        let joined = call(
            "POST", "/v1/groups/\(group)/members",
            #"{"topics":["\#(topic)"],"auto_offset_reset":"earliest","session_timeout_ms":60000}"#)
        expect(joined, 201, "join")
        return values(of: "member_id", in: joined.body)[0]
    }
    let (messages, seconds) = run { index in
        let member = "/v1/groups/\(group)/members/\(members[index])"
        var done = 0
        var idle = 0
        while idle < 3 {
            let fetched = call("GET", member + "/messages?limit=\(batch)")
            expect(fetched, 200, "fetch")
            let n = count(of: #""offset":"#, in: fetched.body)
            if n == 0 { idle += 1; continue }
            idle = 0
            expect(call("POST", member + "/commit"), 204, "commit")
            done += n
        }
        return done
    }
    let rate = Double(messages) / seconds
    print("group fetch+commit partitions=\(partitions) workers=\(workers) batch=\(batch): \(messages) msgs in "
        + "\(String(format3(seconds))) s = \(Int(rate)) msg/s")
    for member in members { _ = call("DELETE", "/v1/groups/\(group)/members/\(member)") }
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
