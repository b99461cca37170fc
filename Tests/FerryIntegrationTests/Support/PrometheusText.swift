import Testing

/// A strict little reader of the Prometheus text format (0.0.4), for checking `/metrics`.
///
/// Every non-comment line must be `name{label="value",…} number` or `name number`; `# TYPE` must come at most
/// once per family and before its samples; `# HELP` must name a family that has a `# TYPE`. Histogram samples
/// (`_bucket`, `_sum`, `_count`) belong to their family. Problems are collected, not thrown, so a test can
/// show them all.
struct PrometheusText {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var samples: [Sample] = []
    /// Family name → `counter`, `gauge`, `histogram`, …
    var types: [String: String] = [:]
    var help: [String: String] = [:]
    var problems: [String] = []

    init(_ text: String) {
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = String(raw)
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2 else {
                    problems.append("bad TYPE line: \(line)")
                    continue
                }
                let name = String(parts[0])
                if types[name] != nil { problems.append("second TYPE for \(name)") }
                if samples.contains(where: { family(of: $0.name) == name }) {
                    problems.append("TYPE of \(name) after its samples")
                }
                types[name] = String(parts[1])
            } else if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                let name = String(rest.prefix { $0 != " " })
                help[name] = String(rest.dropFirst(name.count + 1))
            } else if line.hasPrefix("#") {
                continue
            } else if let sample = Self.parseSample(line) {
                if types[family(of: sample.name)] == nil { problems.append("sample without TYPE: \(line)") }
                samples.append(sample)
            } else {
                problems.append("unparsable line: \(line)")
            }
        }
        for name in help.keys where types[name] == nil { problems.append("HELP without TYPE: \(name)") }
        let keys = samples.map { "\($0.name)\($0.labels.sorted { $0.key < $1.key })" }
        if Set(keys).count != keys.count { problems.append("duplicate series") }
    }

    /// The family a sample belongs to (a histogram's `_bucket`/`_sum`/`_count` belong to the histogram).
    func family(of name: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || types[base] == "summary" { return base }
        }
        return name
    }

    /// Samples named `name` whose labels include `labels`.
    func samples(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    /// The single value of `name{labels…}`, or nil when there is not exactly one such sample.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let found = samples(name, labels)
        return found.count == 1 ? found[0].value : nil
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    static func isName(_ text: Substring) -> Bool {
        func letter(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c == ":" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
        }
        guard let first = text.unicodeScalars.first, letter(first) else { return false }
        return text.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
    }

    static func parseSample(_ line: String) -> Sample? {
        var rest = Substring(line)
        let name = rest.prefix { $0 != "{" && $0 != " " }
        guard isName(name) else { return nil }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let key = rest.prefix { $0 != "=" }
                guard isName(key), !key.contains(":") else { return nil }
                rest = rest.dropFirst(key.count)
                guard rest.hasPrefix("=\"") else { return nil }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let c = rest.first else { return nil }
                    rest = rest.dropFirst()
                    if c == "\"" { break }
                    if c == "\\" {
                        guard let escaped = rest.first else { return nil }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: return nil
                        }
                    } else {
                        value.append(c)
                    }
                }
                guard labels[String(key)] == nil else { return nil }
                labels[String(key)] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { return nil }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { return nil }
        rest = rest.dropFirst()
        let parts = rest.split(separator: " ")
        guard parts.count == 1 || parts.count == 2 else { return nil }  // value [timestamp]
        let number: Double?
        switch parts[0] {
        case "+Inf": number = .infinity
        case "-Inf": number = -.infinity
        case "NaN": number = .nan
        default: number = Double(parts[0])
        }
        guard let number else { return nil }
        return Sample(name: String(name), labels: labels, value: number)
    }
}
