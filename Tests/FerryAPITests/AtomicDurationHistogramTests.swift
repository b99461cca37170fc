import FerrySystem
import Prometheus
import Testing

@testable import FerryAPI

/// ``AtomicDurationHistogram`` renders what swift-prometheus' histogram renders for the same records, so
/// `/metrics` did not change when timers stopped taking a lock.
struct AtomicDurationHistogramTests {
    private let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .milliseconds(1), .microseconds(2500), .seconds(1), .seconds(60),
    ]
    private let samples: [Int64] = [
        0, 99_999, 100_000, 100_001, 250_000, 900_000, 2_500_001, 59_000_000_000,
        61_000_000_000, 3,
    ]

    @Test func exposition_IsTheSameAsSwiftPrometheus_ForTheSameRecords() {
        let reference = PrometheusCollectorRegistry()
        let labels = [("route", "/v1/topics/{topic}/messages"), ("odd", "a\"b\\c\nd")]
        let theirs = reference.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                metricName: "ferry_test_seconds", unitName: "", helpText: "A test \\ histogram."),
            labels: labels, buckets: buckets)
        let families = DurationHistograms()
        let ours = families.histogram(
            name: "ferry_test_seconds", help: "A test \\ histogram.", labels: labels, buckets: buckets)
        for sample in samples {
            theirs.recordNanoseconds(sample)
            ours.recordNanoseconds(sample)
        }
        var expected: [UInt8] = []
        reference.emit(into: &expected)
        var rendered: [UInt8] = []
        families.emit(into: &rendered)
        #expect(String(decoding: rendered, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }

    @Test func eachValue_CountsInTheFirstBucketItFits_AndNegativeDurationsAsZero() {
        let histogram = AtomicDurationHistogram(name: "t_seconds", labels: [], buckets: buckets)
        for sample in samples { histogram.recordNanoseconds(sample) }
        histogram.recordNanoseconds(-5)
        // ≤100 µs: 0, 99 999, 100 000, 3, -5; ≤250 µs: 100 001, 250 000; ≤1 ms: 900 000; ≤1 s: 2 500 001;
        // ≤60 s: 59 s; above: 61 s.
        #expect(histogram.bucketCounts == [5, 2, 1, 0, 1, 1, 1])
    }

    @Test func recordsFromManyThreads_AreAllCounted() {
        let histogram = AtomicDurationHistogram(name: "t_seconds", labels: [], buckets: buckets)
        let threads = (0..<4).map { thread in
            SystemThread(name: "test-record-\(thread)") {
                for index in 0..<10_000 { histogram.recordNanoseconds(Int64(index % 3) * 200_000) }
            }
        }
        for thread in threads { thread.join() }
        // 0 → ≤100 µs, 200 µs → ≤250 µs, 400 µs → ≤1 ms; 3 334 + 3 333 + 3 333 per thread.
        #expect(histogram.bucketCounts == [4 * 3_334, 4 * 3_333, 4 * 3_333, 0, 0, 0, 0])
        var rendered: [UInt8] = []
        histogram.emit(into: &rendered)
        let text = String(decoding: rendered, as: UTF8.self)
        #expect(text.contains("t_seconds_count 40000\n"))
        #expect(text.contains("t_seconds_sum 7.9992\n"), "\(text)")
    }

    @Test func sameNameAndLabels_GiveTheSameSeries_AndARemovedOneIsNotRendered() {
        let families = DurationHistograms()
        let first = families.histogram(name: "t_seconds", help: "", labels: [("a", "1")], buckets: buckets)
        let again = families.histogram(name: "t_seconds", help: "", labels: [("a", "1")], buckets: buckets)
        let other = families.histogram(name: "t_seconds", help: "", labels: [("a", "2")], buckets: buckets)
        #expect(first === again)
        #expect(first !== other)
        families.remove(first)
        families.remove(other)
        var rendered: [UInt8] = []
        families.emit(into: &rendered)
        #expect(rendered.isEmpty)
    }
}
