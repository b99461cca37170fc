import FerryHTTP

/// What a route needs when access control is on, declared where the route is registered:
///
/// ```swift
/// router.add(.GET, "/v1/topics/{topic}/partitions/{partition}/messages", needs: .consume(.topic)) { … }
/// router.add(.POST, "/v1/groups/{group}/members", needs: .consume(.group, .body("topics"))) { … }
/// router.add(.GET, "/ui/{file}", needs: .open) { … }
/// ```
///
/// ``FerryAPI`` checks it once per request in its router admission hook, before any handler runs. A route
/// registered without a rule (plain `router.add`) is treated as ``undeclared``: it needs an `admin` grant on
/// `*`, i.e. it fails closed. Without `--auth-file` no rule is checked at all.
public struct AccessRule: Sendable, Equatable, CustomStringConvertible {
    /// The kind of permission.
    public enum Requirement: Sendable, Equatable {
        /// No token needed (health, metrics, the console's static assets).
        case open
        /// Any valid token; the handler shows only what the token may see (e.g. `GET /v1/topics`).
        case authenticated
        /// Some right (produce, consume or admin) on every topic the rule names (describe and list reads).
        case anyRight
        /// This right (or admin) on every topic the rule names.
        case right(AccessRight)
        /// An `admin` grant on `*` (routes that declared nothing).
        case adminOnEverything
    }

    /// Where the topics a request touches come from.
    public enum TopicSource: Sendable, Equatable {
        /// A path parameter naming a topic (`{topic}`).
        case pathParameter(String)
        /// Every topic the group in path parameter `{group}` subscribes to or has offsets on (via the broker;
        /// none when the group does not exist).
        case group
        /// A JSON body member: a topic name (string) or a list of them (array of strings). Absent, or a body
        /// that does not parse, contributes nothing (the handler then answers 400).
        case body(String)
    }

    public let requirement: Requirement
    public let topics: [TopicSource]

    public init(_ requirement: Requirement, topics: [TopicSource]) {
        self.requirement = requirement
        self.topics = topics
    }

    /// No token needed.
    public static let open = AccessRule(.open, topics: [])
    /// Any valid token.
    public static let authenticated = AccessRule(.authenticated, topics: [])
    /// What a route registered without a rule gets: admin on `*`.
    public static let undeclared = AccessRule(.adminOnEverything, topics: [])

    public static func produce(_ topics: TopicSource...) -> AccessRule { AccessRule(.right(.produce), topics: topics) }
    public static func consume(_ topics: TopicSource...) -> AccessRule { AccessRule(.right(.consume), topics: topics) }
    public static func admin(_ topics: TopicSource...) -> AccessRule { AccessRule(.right(.admin), topics: topics) }
    /// Any right on the topics (reading descriptions and lists).
    public static func read(_ topics: TopicSource...) -> AccessRule { AccessRule(.anyRight, topics: topics) }

    public var description: String {
        let names = topics.map { source -> String in
            switch source {
            case .pathParameter(let name): "{\(name)}"
            case .group: "group topics"
            case .body(let key): "body.\(key)"
            }
        }
        let on = names.isEmpty ? "" : " on " + names.joined(separator: ", ")
        switch requirement {
        case .open: return "open"
        case .authenticated: return "any token"
        case .anyRight: return "any right" + on
        case .right(let right): return "\(right)" + on
        case .adminOnEverything: return "admin on *"
        }
    }
}

extension AccessRule.TopicSource {
    /// The `{topic}` path parameter.
    public static let topic = AccessRule.TopicSource.pathParameter("topic")
}

extension Router {
    /// Adds a synchronous route that declares what it needs under access control (see ``AccessRule``).
    public mutating func add(
        _ method: HTTPMethod, _ pattern: String, needs rule: AccessRule, _ handler: @escaping HTTPHandler
    ) {
        add(method, pattern, policy: rule, handler)
    }

    /// The access rule a route declared (``AccessRule/undeclared`` when it declared none).
    public static func accessRule(of route: Route) -> AccessRule {
        route.policy as? AccessRule ?? .undeclared
    }
}
