import CoreMetrics
import FerrySystem
import Prometheus
import Synchronization

/// One Prometheus histogram series of durations (a swift-metrics `Timer`) that records without a lock.
///
/// Every answered HTTP request records its duration, from every event loop: swift-prometheus' histogram takes
/// a mutex and compares the value with each of its buckets' `Duration`s (about 1 000 instructions, 3 % of a
/// single produce, and the most contended lock of the server). Here a record finds its bucket among
/// nanosecond bounds and adds to two relaxed atomics. Counts are kept per bucket and made cumulative when
/// rendered, in the same text as swift-prometheus renders (bucket bounds and the sum in its `Duration` form).
///
/// A scrape reads the cells one after the other while records go on, so a sample may lag the one before it by
/// the requests answered in between (as with any lock-free counter set). Thread-safe: `@unchecked` because the
/// cells live in a buffer it allocates once and frees in `deinit`, written only through atomics.
final class AtomicDurationHistogram: TimerHandler, @unchecked Sendable {
    let name: String
    let labels: [(String, String)]
    /// `key="value",…` with values escaped, or empty.
    let renderedLabels: [UInt8]
    /// The upper bounds in nanoseconds, ascending, and their `le` text.
    private let bounds: [Int64]
    private let boundLabels: [String]
    /// One count per bound, then one for values above every bound.
    private let counts: UnsafeMutablePointer<Atomic<Int>>
    private let sumNanoseconds = Atomic<Int64>(0)

    /// `buckets` must be ascending.
    init(name: String, labels: [(String, String)], buckets: [Duration]) {
        self.name = name
        self.labels = labels
        self.renderedLabels = Self.render(labels)
        bounds = buckets.map(\.wholeNanoseconds)
        boundLabels = buckets.map(\.bucketRepresentation)
        counts = .allocate(capacity: buckets.count + 1)
        for index in 0...buckets.count { (counts + index).initialize(to: Atomic(0)) }
    }

    deinit {
        counts.deinitialize(count: bounds.count + 1)
        counts.deallocate()
    }

    func recordNanoseconds(_ duration: Int64) {
        let value = max(0, duration)
        var index = 0
        while index < bounds.count && bounds[index] < value { index += 1 }
        counts[index].wrappingAdd(1, ordering: .relaxed)
        sumNanoseconds.wrappingAdd(value, ordering: .relaxed)
    }

    /// The per-bucket counts (not cumulative), the last for values above every bound.
    var bucketCounts: [Int] { (0...bounds.count).map { counts[$0].load(ordering: .relaxed) } }

    /// Appends the series' `_bucket` (cumulative, then `+Inf`), `_sum` (seconds) and `_count` lines.
    func emit(into buffer: inout [UInt8]) {
        let perBucket = bucketCounts
        var cumulative = 0
        for index in 0...bounds.count {
            cumulative += perBucket[index]
            buffer.append(contentsOf: name.utf8)
            buffer.append(contentsOf: "_bucket{".utf8)
            if !renderedLabels.isEmpty {
                buffer.append(contentsOf: renderedLabels)
                buffer.append(UInt8(ascii: ","))
            }
            buffer.append(contentsOf: "le=\"".utf8)
            buffer.append(contentsOf: (index < bounds.count ? boundLabels[index] : "+Inf").utf8)
            buffer.append(contentsOf: "\"} \(cumulative)\n".utf8)
        }
        let sum = Duration.nanoseconds(sumNanoseconds.load(ordering: .relaxed)).bucketRepresentation
        appendLine(suffix: "_sum", value: sum, to: &buffer)
        appendLine(suffix: "_count", value: String(cumulative), to: &buffer)
    }

    private func appendLine(suffix: String, value: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: name.utf8)
        buffer.append(contentsOf: suffix.utf8)
        if !renderedLabels.isEmpty {
            buffer.append(UInt8(ascii: "{"))
            buffer.append(contentsOf: renderedLabels)
            buffer.append(UInt8(ascii: "}"))
        }
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: value.utf8)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// `key="value",…`, escaping `\`, `"` and line feeds in values as the text format requires.
    static func render(_ labels: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (index, (key, value)) in labels.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: key.utf8)
            out.append(contentsOf: "=\"".utf8)
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
                default: out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        return out
    }
}
