/// Which webhook URLs are allowed, and where a delivery may connect. Immutable value; `Sendable`.
///
/// ``parse(_:)`` is pure (no I/O). ``admit(_:)`` may resolve a name and then **blocks** (getaddrinfo): call it off
/// event-loop threads and off the ``FerryCurl/CurlMultiDriver`` thread. Copies share one cache of admitted
/// resolutions (see ``admissionTTL``), so keep one policy per server rather than making one per delivery.
public struct WebhookTargetPolicy: Sendable {
    /// When true, targets that are or resolve to private, loopback, link-local or otherwise non-public addresses
    /// are refused (`--webhook-deny-private`).
    public let denyPrivateNetworks: Bool
    /// How long an admitted (all-public) resolution is reused before the name is resolved again: at most one
    /// getaddrinfo per host every 10 s instead of one per delivery. Refusals are never cached.
    public static let admissionTTL: Duration = .seconds(10)

    private let cache: ResolutionCache

    public init(denyPrivateNetworks: Bool) {
        self.init(denyPrivateNetworks: denyPrivateNetworks, resolver: Resolver.resolve(host:))
    }

    /// For tests: `resolver` stands in for getaddrinfo.
    init(denyPrivateNetworks: Bool, resolver: @escaping ResolutionCache.Resolve) {
        self.denyPrivateNetworks = denyPrivateNetworks
        cache = ResolutionCache(ttl: Self.admissionTTL, resolve: resolver)
    }

    /// The longest URL accepted.
    public static let maxURLBytes = 4096

    /// Parses and checks `url` without any name resolution (create/PATCH time): an absolute `http`/`https` URL
    /// with a host, an optional port 1…65535, no userinfo, no whitespace or control characters. With
    /// ``denyPrivateNetworks``, a non-public IP literal or a `localhost` name is refused here already.
    public func parse(_ url: String) throws(WebhookTargetError) -> WebhookTarget {
        let target = try Self.syntax(url)
        if denyPrivateNetworks {
            if let address = IPAddress(parsing: target.host), !address.isPublic {
                throw .privateAddress(address.description)
            }
            if target.host == "localhost" || target.host.hasSuffix(".localhost") || target.host == "localhost." {
                throw .privateAddress(target.host)
            }
        }
        return target
    }

    /// Decides where a delivery to `target` may connect (delivery time).
    ///
    /// Without ``denyPrivateNetworks``: returns nil at once (libcurl resolves as usual). With it: an IP literal
    /// is checked and nil returned (nothing to resolve); a name is resolved (getaddrinfo — **blocks**), refused
    /// if **any** resolved address is non-public, and otherwise a pin `"host:port:addr[,addr…]"` is returned for
    /// ``FerryCurl/CurlRequest/resolve`` so that libcurl connects to exactly the checked addresses (no DNS
    /// rebinding between check and connect).
    /// - Throws: ``WebhookTargetError/privateAddress(_:)``, ``WebhookTargetError/unresolvable(_:)``.
    public func admit(_ target: WebhookTarget) throws(WebhookTargetError) -> String? {
        guard denyPrivateNetworks else { return nil }
        if let address = IPAddress(parsing: target.host) {
            guard address.isPublic else { throw .privateAddress(address.description) }
            return nil
        }
        let addresses = try cache.admitted(host: target.host)
        let list = addresses.map { $0.isIPv6 ? "[\($0)]" : "\($0)" }.joined(separator: ",")
        return "\(target.host):\(target.port):\(list)"
    }
}

extension WebhookTargetPolicy {
    /// The syntax checks of ``parse(_:)``.
    static func syntax(_ url: String) throws(WebhookTargetError) -> WebhookTarget {
        guard !url.isEmpty else { throw .invalidURL("empty") }
        guard url.utf8.count <= maxURLBytes else { throw .invalidURL("longer than \(maxURLBytes) bytes") }
        guard url.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw .invalidURL("contains whitespace or a control character")
        }
        guard let separator = url.firstRange(of: "://") else { throw .invalidURL("not an absolute URL") }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw .invalidURL("scheme \"\(scheme)\" is not http or https")
        }
        let afterScheme = url[separator.upperBound...]
        let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        guard !authority.contains("@") else { throw .invalidURL("userinfo (user:password@) is not allowed") }
        guard !authority.contains("\\") else { throw .invalidURL("backslash in the authority") }

        let hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL("unclosed IPv6 bracket") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw .invalidURL("junk after the IPv6 address") }
                portPart = rest.dropFirst()
            }
            guard let address = IPAddress(parsing: String(hostPart)), address.isIPv6 else {
                throw .invalidURL("bad IPv6 address \"\(hostPart)\"")
            }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            } else {
                hostPart = authority
            }
            guard !hostPart.isEmpty else { throw .invalidURL("no host") }
            guard hostPart.utf8.allSatisfy(isHostByte) else { throw .invalidURL("bad host \"\(hostPart)\"") }
            guard !hostPart.hasPrefix("."), hostPart.firstRange(of: "..") == nil, hostPart.utf8.count <= 254 else {
                throw .invalidURL("bad host \"\(hostPart)\"")
            }
            // A name whose last label is numeric is no DNS name; resolvers read `2130706433` or `0x7f.1` as
            // IPv4 addresses, so only the dotted-quad form is accepted for IPv4.
            let lastLabel = hostPart.split(separator: ".").last ?? hostPart
            if IPAddress(parsing: String(hostPart)) == nil,
                lastLabel.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) || lastLabel.lowercased().hasPrefix("0x")
            {
                throw .invalidURL("host \"\(hostPart)\" is neither a DNS name nor a dotted-quad IPv4 address")
            }
        }
        let defaultPort = scheme == "https" ? 443 : 80
        var port = defaultPort
        if let portPart {
            guard !portPart.isEmpty, portPart.count <= 5, portPart.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let value = Int(portPart), (1...65535).contains(value)
            else { throw .invalidURL("bad port \"\(portPart)\"") }
            port = value
        }
        let host = IPAddress(parsing: String(hostPart))?.description ?? hostPart.lowercased()
        return WebhookTarget(url: url, scheme: scheme, host: host, port: port)
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
    }
}
