import Synchronization

/// The ``AtomicDurationHistogram``s of one server's ``FerryMetricsFactory`` (every swift-metrics `Timer`), by
/// name, rendered after the Prometheus registry's metrics.
///
/// Same name and labels give the same series, as the registry does. Making or removing a series takes the
/// lock; recording does not go through here. Thread-safe.
final class DurationHistograms: Sendable {
    private struct Family {
        var help: String
        var series: [AtomicDurationHistogram]
    }

    private let families = Mutex<[String: Family]>([:])

    /// The series `name{labels}`, made with `buckets` and `help` on first use.
    func histogram(name: String, help: String, labels: [(String, String)], buckets: [Duration])
        -> AtomicDurationHistogram
    {
        families.withLock { families in
            let existing = families[name]?.series.first { series in
                series.labels.count == labels.count && zip(series.labels, labels).allSatisfy { $0 == $1 }
            }
            if let existing { return existing }
            let made = AtomicDurationHistogram(name: name, labels: labels, buckets: buckets)
            families[name, default: Family(help: help, series: [])].series.append(made)
            return made
        }
    }

    /// Forgets `histogram` (its series disappears from the output; a family left empty too).
    func remove(_ histogram: AtomicDurationHistogram) {
        families.withLock { families in
            families[histogram.name]?.series.removeAll { $0 === histogram }
            if families[histogram.name]?.series.isEmpty == true { families[histogram.name] = nil }
        }
    }

    /// Appends every family, by name: `# HELP` (backslashes escaped), `# TYPE … histogram`, then its series.
    func emit(into buffer: inout [UInt8]) {
        let snapshot = families.withLock { $0 }
        for name in snapshot.keys.sorted() {
            guard let family = snapshot[name] else { continue }
            if !family.help.isEmpty {
                buffer.append(contentsOf: "# HELP \(name) ".utf8)
                for byte in family.help.utf8 {
                    if byte == UInt8(ascii: "\\") {
                        buffer.append(contentsOf: "\\\\".utf8)
                    } else {
                        buffer.append(byte)
                    }
                }
                buffer.append(UInt8(ascii: "\n"))
            }
            buffer.append(contentsOf: "# TYPE \(name) histogram\n".utf8)
            for series in family.series { series.emit(into: &buffer) }
        }
    }
}
