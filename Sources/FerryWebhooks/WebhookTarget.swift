/// A parsed, allowed webhook target URL. Immutable value; `Sendable`.
///
/// Invariants (checked by ``WebhookTargetPolicy/parse(_:)``): `scheme` is `http` or `https` (lowercased), `host`
/// is non-empty and lowercased — a DNS name, an IPv4 literal, or an IPv6 literal **without** its brackets —,
/// `port` is 1…65535 (80/443 when the URL has none), and `url` is the URL as given, free of whitespace,
/// control characters and userinfo.
public struct WebhookTarget: Sendable, Equatable {
    public let url: String
    public let scheme: String
    public let host: String
    public let port: Int

    /// True when `host` is an IP literal (no name resolution needed).
    public var hostIsIPLiteral: Bool { IPAddress(parsing: host) != nil }
}

/// Why a target URL is refused (the API answers 400 `invalid-url`).
public enum WebhookTargetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not an acceptable absolute http/https URL: why.
    case invalidURL(String)
    /// The host is, or resolves to, a private/loopback/link-local/reserved address: which.
    case privateAddress(String)
    /// The host name could not be resolved: the host and the resolver's message.
    case unresolvable(String)

    public var description: String {
        switch self {
        case .invalidURL(let why): "invalid webhook URL: \(why)"
        case .privateAddress(let what): "webhook URL targets a private or reserved address: \(what)"
        case .unresolvable(let what): "webhook URL host cannot be resolved: \(what)"
        }
    }
}
