// ferry-bench-webhook-receiver: a webhook receiver for Benchmarks/webhook-bench.sh. Answers every POST with 204 at
// once, counts deliveries and messages, and records each message's produce→receive latency from its `timestamp`
// (ms since the epoch, set by the broker at produce time) in a 1 ms histogram.
//
// Usage: ferry-bench-webhook-receiver [--port 0] [--expect MESSAGES] [--timeout-s 120] [--loops 1]
// Prints "listening <port>", then, once MESSAGES messages arrived (or after the timeout, or on SIGTERM/SIGINT),
// one report line and exits:
//   deliveries=… messages=… seconds=… deliveries_per_s=… messages_per_s=… p50_ms=… p99_ms=… max_ms=…
// `seconds` runs from the first to the last delivery received.
import FerryHTTP
import FerrySystem
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

func option(_ name: String, _ fallback: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
    return Int(arguments[index + 1]) ?? fallback
}

func nowNanoseconds(_ clock: clockid_t) -> Int64 {
    var time = timespec()
    clock_gettime(clock, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}

/// What the receiver saw; one lock, taken once per delivery.
struct Tally {
    var deliveries = 0
    var messages = 0
    var firstNanos: Int64 = 0
    var lastNanos: Int64 = 0
    /// histogram[ms] = messages with that produce→receive latency (the last bucket takes everything above).
    var histogram = [Int](repeating: 0, count: 60_001)

    func percentile(_ fraction: Double) -> Int {
        let target = max(1, Int((Double(messages) * fraction).rounded(.up)))
        var seen = 0
        for (milliseconds, count) in histogram.enumerated() {
            seen += count
            if seen >= target { return milliseconds }
        }
        return histogram.count - 1
    }

    var maximum: Int { histogram.lastIndex { $0 > 0 } ?? 0 }
}

final class Receiver: Sendable {
    let tally = Mutex(Tally())
    let expected: Int
    let done = Atomic<Bool>(false)

    init(expected: Int) { self.expected = expected }

    /// Scans the body for `"timestamp":<digits>` (one per message) without a JSON parse.
    func record(_ body: [UInt8]) {
        let receivedMillis = nowNanoseconds(CLOCK_REALTIME) / 1_000_000
        let monotonic = nowNanoseconds(CLOCK_MONOTONIC)
        let needle = Array(#""timestamp":"#.utf8)
        var latencies: [Int] = []
        body.withUnsafeBufferPointer { bytes in
            var index = 0
            let end = bytes.count - needle.count
            while index < end {
                if bytes[index] == needle[0] && bytes[index + 1] == needle[1]
                    && (0..<needle.count).allSatisfy({ bytes[index + $0] == needle[$0] })
                {
                    index += needle.count
                    while index < bytes.count && bytes[index] == 0x20 { index += 1 }
                    var value: Int64 = 0
                    while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                        value = value * 10 + Int64(bytes[index] - 0x30)
                        index += 1
                    }
                    latencies.append(Int(max(0, min(receivedMillis - value, 60_000))))
                } else {
                    index += 1
                }
            }
        }
        let reached = tally.withLock { tally in
            if tally.deliveries == 0 { tally.firstNanos = monotonic }
            tally.lastNanos = monotonic
            tally.deliveries += 1
            tally.messages += latencies.count
            for latency in latencies { tally.histogram[latency] += 1 }
            return tally.messages >= expected
        }
        if reached { done.store(true, ordering: .releasing) }
    }

    func report() -> String {
        tally.withLock { tally in
            let seconds = Double(tally.lastNanos - tally.firstNanos) / 1e9
            func rate(_ count: Int) -> Int { seconds > 0 ? Int(Double(count) / seconds) : 0 }
            return
                "deliveries=\(tally.deliveries) messages=\(tally.messages) seconds=\((seconds * 1000).rounded() / 1000) "
                + "deliveries_per_s=\(rate(tally.deliveries)) messages_per_s=\(rate(tally.messages)) "
                + "p50_ms=\(tally.percentile(0.5)) p99_ms=\(tally.percentile(0.99)) max_ms=\(tally.maximum)"
        }
    }
}

let receiver = Receiver(expected: option("--expect", Int.max))
let timeoutSeconds = option("--timeout-s", 120)
var logger = Logger(label: "ferry-bench-webhook-receiver")
logger.logLevel = .warning
var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: option("--port", 0))
configuration.loopCount = option("--loops", 1)
let server = HTTPServer(
    configuration: configuration,
    handler: { request, responder in
        responder.respond(HTTPResponse(status: .noContent))
        receiver.record(request.body)
    }, logger: logger)
do {
    try server.start()
} catch {
    print("ferry-bench-webhook-receiver: \(error)")
    exit(1)
}
print("listening \(server.boundPort)")
fflush(nil)

/// Stop on SIGTERM/SIGINT as well: a handler only sets the flag.
signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
let deadline = nowNanoseconds(CLOCK_MONOTONIC) + Int64(timeoutSeconds) * 1_000_000_000
while !receiver.done.load(ordering: .acquiring) && !stopRequested.load(ordering: .relaxed)
    && nowNanoseconds(CLOCK_MONOTONIC) < deadline
{
    usleep(5_000)
}
print(receiver.report())
fflush(nil)
server.shutdown(gracePeriod: .milliseconds(200))
