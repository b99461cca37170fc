import Synchronization

/// Resolutions of webhook host names whose every address was found public, reused for `ttl`. `Sendable`;
/// thread-safe (one lock, never held while resolving). Bounded: at most ``capacity`` names are kept.
///
/// Only admitted resolutions are cached; a refusal or a resolver failure is returned to the caller and the next
/// call resolves again. The cached addresses are what libcurl is pinned to, so a name that changes to a private
/// address is still never connected to: the new address is only used after it has been checked.
final class ResolutionCache: Sendable {
    typealias Resolve = @Sendable (String) throws(WebhookTargetError) -> [IPAddress]

    static let capacity = 4096

    private struct Entry {
        let addresses: [IPAddress]
        let expires: ContinuousClock.Instant
    }

    private let ttl: Duration
    private let resolve: Resolve
    private let entries = Mutex<[String: Entry]>([:])

    init(ttl: Duration, resolve: @escaping Resolve) {
        self.ttl = ttl
        self.resolve = resolve
    }

    /// The checked, all-public addresses of `host` (cached or freshly resolved — **may block** in the resolver).
    /// - Throws: ``WebhookTargetError/unresolvable(_:)`` (no address), ``WebhookTargetError/privateAddress(_:)``.
    func admitted(host: String) throws(WebhookTargetError) -> [IPAddress] {
        let now = ContinuousClock.now
        if let cached = entries.withLock({ $0[host] }), cached.expires > now { return cached.addresses }
        let addresses = try resolve(host)
        guard !addresses.isEmpty else { throw .unresolvable(host) }
        if let denied = addresses.first(where: { !$0.isPublic }) {
            entries.withLock { _ = $0.removeValue(forKey: host) }
            throw .privateAddress("\(host) resolves to \(denied)")
        }
        entries.withLock { entries in
            if entries.count >= Self.capacity {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[host] = Entry(addresses: addresses, expires: now + ttl)
        }
        return addresses
    }
}
