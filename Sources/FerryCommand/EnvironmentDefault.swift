import ArgumentParser
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Flag defaults taken from `FERRY_*` environment variables (a flag on the command line wins).
///
/// Option defaults are evaluated while ArgumentParser builds the options, where nothing can throw: a value that
/// does not parse is recorded here instead and ``ServeOptions/validate()`` reports the first one, so
/// `FERRY_PORT=abc ferry serve` stops with one line rather than silently using the default. Thread-safe.
enum EnvironmentDefault {
    static let problems = Mutex<[String]>([])

    /// The raw value of `name`, or nil when unset.
    static func raw(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    /// `name` parsed as a flag value would be (`T(argument:)`), or `fallback` when unset. A value that does not
    /// parse is recorded as a problem (and `fallback` returned meanwhile).
    static func value<T: ExpressibleByArgument>(_ name: String, _ fallback: T) -> T {
        guard let text = raw(name) else { return fallback }
        if let value = T(argument: text) { return value }
        let choices = T.allValueStrings.isEmpty ? "" : " (expected \(T.allValueStrings.joined(separator: ", ")))"
        record("\(name)='\(text)' is not a valid value for --\(flagName(name))\(choices)")
        return fallback
    }

    /// A boolean variable: `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off` (any case).
    static func bool(_ name: String, _ fallback: Bool) -> Bool {
        guard let text = raw(name) else { return fallback }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            record("\(name)='\(text)' is not a boolean (true or false)")
            return fallback
        }
    }

    /// The first recorded problem, if any.
    static var firstProblem: String? { problems.withLock { $0.first } }

    static func record(_ problem: String) {
        problems.withLock { if !$0.contains(problem) { $0.append(problem) } }
    }

    /// `FERRY_FSYNC_INTERVAL_MS` → `fsync-interval-ms`.
    static func flagName(_ variable: String) -> String {
        String(variable.dropFirst("FERRY_".count).lowercased().map { $0 == "_" ? "-" : $0 })
    }
}
