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

    /// True when the decoded path segments match: as many segments, equal literals, non-empty parameters.
    /// Allocates nothing (the router tries it on every candidate).
    func matches(_ path: [String]) -> Bool {
        guard path.count == segments.count else { return false }
        for index in segments.indices {
            switch segments[index] {
            case .literal(let literal): if literal != path[index] { return false }
            case .parameter: if path[index].isEmpty { return false }
            }
        }
        return true
    }

    /// The parameters captured from `path` (which ``matches(_:)``), in pattern order.
    func parameters(in path: [String]) -> [(name: String, value: String)] {
        var parameters: [(name: String, value: String)] = []
        for index in segments.indices {
            if case .parameter(let name) = segments[index] { parameters.append((name, path[index])) }
        }
        return parameters
    }
}
