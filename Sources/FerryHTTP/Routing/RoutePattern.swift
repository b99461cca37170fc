/// A path pattern such as `/v1/topics/{topic}/partitions/{p}/messages`: literal segments and `{name}`
/// parameters, each matching exactly one non-empty path segment. No regular expressions.
public struct RoutePattern: Sendable, Hashable, CustomStringConvertible {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
    }

    /// The pattern as written.
    public let text: String
    let segments: [Segment]

    /// Parses `text`; it must start with `/`. Traps on a malformed pattern (a programmer error).
    public init(_ text: String) {
        precondition(text.hasPrefix("/"), "route pattern must start with /: \(text)")
        self.text = text
        if text == "/" {
            segments = []
            return
        }
        segments = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            precondition(!part.contains("{") && !part.contains("}"), "malformed route segment \(part) in \(text)")
            return .literal(String(part))
        }
    }

    public var description: String { text }

    /// Matches decoded path segments; returns the captured parameters or nil.
    func match(_ path: [String]) -> [(name: String, value: String)]? {
        guard path.count == segments.count else { return nil }
        var parameters: [(name: String, value: String)] = []
        for (segment, value) in zip(segments, path) {
            switch segment {
            case .literal(let literal):
                if literal != value { return nil }
            case .parameter(let name):
                if value.isEmpty { return nil }
                parameters.append((name, value))
            }
        }
        return parameters
    }
}
