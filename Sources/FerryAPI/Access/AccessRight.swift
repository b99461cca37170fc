/// A right a token holds on topics (API.md "Authentication").
///
/// `produce` = POST messages; `consume` = fetch, SSE, group membership/commit/offset reads, queue receive and
/// settle, queue status; `admin` = create/alter/delete topics, queues and subscriptions, offset resets, group
/// deletion. `admin` implies the other two.
public enum AccessRight: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case produce, consume, admin

    /// Whether holding `self` grants `wanted` (admin implies everything).
    public func grants(_ wanted: AccessRight) -> Bool { self == wanted || self == .admin }

    public var description: String { rawValue }
}

/// The topics a grant covers: one exact name, or every name starting with a prefix (`orders*`; `*` alone is
/// every topic). A `*` is only allowed as the last character.
public struct TopicPattern: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    let prefix: String
    let isPrefix: Bool

    /// Parses `text`; nil when it is empty or has a `*` anywhere but at the end.
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        let stars = text.utf8.filter { $0 == UInt8(ascii: "*") }.count
        if stars == 0 {
            prefix = text
            isPrefix = false
        } else if stars == 1 && text.utf8.last == UInt8(ascii: "*") {
            prefix = String(text.dropLast())
            isPrefix = true
        } else {
            return nil
        }
        self.text = text
    }

    /// Whether `topic` is covered (byte-wise prefix or equality).
    public func matches(_ topic: String) -> Bool {
        isPrefix ? topic.utf8.starts(with: prefix.utf8) : topic == prefix
    }

    public var description: String { text }
}

/// One `{"right": ..., "topics": ...}` entry of a token.
public struct AccessGrant: Sendable, Hashable {
    public var right: AccessRight
    public var topics: TopicPattern

    public init(right: AccessRight, topics: TopicPattern) {
        self.right = right
        self.topics = topics
    }
}

/// Who a request authenticated as: the token's name (safe to log) and its grants. Never holds the token.
public struct AccessPrincipal: Sendable, Equatable {
    public let name: String
    public let grants: [AccessGrant]

    public init(name: String, grants: [AccessGrant]) {
        self.name = name
        self.grants = grants
    }

    /// Whether the principal holds `right` (or admin) on `topic`.
    public func has(_ right: AccessRight, on topic: String) -> Bool {
        grants.contains { $0.right.grants(right) && $0.topics.matches(topic) }
    }

    /// Whether the principal holds any right on `topic` (what listing and describing need).
    public func hasAnyRight(on topic: String) -> Bool {
        grants.contains { $0.topics.matches(topic) }
    }

    /// Whether the principal holds `right` on at least one topic pattern (used when a request names no topic
    /// the check could read, e.g. a create body without a name: the handler then answers 400).
    public func hasAnywhere(_ right: AccessRight) -> Bool {
        grants.contains { $0.right.grants(right) }
    }
}
