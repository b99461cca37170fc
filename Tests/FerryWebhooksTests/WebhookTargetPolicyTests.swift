import Synchronization
import Testing

@testable import FerryWebhooks

struct WebhookTargetPolicyTests {
    let open = WebhookTargetPolicy(denyPrivateNetworks: false)
    let deny = WebhookTargetPolicy(denyPrivateNetworks: true)

    @Test func parse_AcceptsHTTPAndHTTPSWithDefaultAndExplicitPorts() throws {
        #expect(
            try open.parse("http://Example.COM/hooks?a=1")
                == WebhookTarget(url: "http://Example.COM/hooks?a=1", scheme: "http", host: "example.com", port: 80))
        #expect(try open.parse("HTTPS://example.com").port == 443)
        #expect(try open.parse("https://example.com:8443/x").port == 8443)
        #expect(try open.parse("http://127.0.0.1:9000").host == "127.0.0.1")
        let v6 = try open.parse("http://[2001:DB8::1]:8080/p")
        #expect(v6.host == "2001:db8::1" && v6.port == 8080 && v6.hostIsIPLiteral)
    }

    @Test(arguments: [
        "ftp://example.com/", "file:///etc/passwd", "gopher://example.com", "javascript:alert(1)", "example.com/x",
        "", "http://", "http:///path", "http://exa mple.com/", "http://example.com/a b", "http://example.com/\r\nX: y",
        "http://user:pass@example.com/", "http://example.com:0/", "http://example.com:65536/", "http://example.com:x/",
        "http://example.com:/", "http://[::1/", "http://[example]/", "http://ex%61mple.com/", "http://.example.com/",
        "http://a..b/", "http://2130706433/", "http://0x7f.1/", "http://127.1/", "http://example.com\\@evil/",
    ])
    func parse_RejectsMalformedOrNonHTTPURLs(url: String) {
        #expect(throws: WebhookTargetError.self) { try open.parse(url) }
        do {
            _ = try open.parse(url)
        } catch {
            guard case .invalidURL = error else {
                Issue.record("expected invalidURL, got \(error)")
                return
            }
        }
    }

    @Test(arguments: [
        "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254", "127.0.0.1",
        "127.255.0.9", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.168.1.1",
        "198.18.0.1", "198.19.255.1", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1",
        "255.255.255.255",
        "[::]", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:10.1.2.3]", "[::ffff:169.254.169.254]", "[::127.0.0.1]",
        "[64:ff9b::a00:1]", "[2002:c0a8:101::1]", "[fc00::1]", "[fd12:3456::1]", "[fe80::1]", "[febf::1]",
        "[fec0::1]", "[ff02::1]", "[2001:db8::1]", "[100::1]",
    ])
    func denyPrivate_RefusesEveryNonPublicLiteral(host: String) throws {
        let url = "http://\(host):8080/hook"
        #expect(throws: WebhookTargetError.self) { try deny.parse(url) }
        let target = try open.parse(url)
        #expect(throws: WebhookTargetError.self) { try deny.admit(target) }
        #expect(try open.admit(target) == nil)
    }

    @Test(arguments: [
        "93.184.216.34", "8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1",
        "192.169.0.1", "11.0.0.1", "223.255.255.254", "[2606:4700::1111]", "[::ffff:93.184.216.34]",
        "[2002:5db8:d822::1]", "[64:ff9b::808:808]",
    ])
    func denyPrivate_AdmitsPublicLiteralsWithoutResolving(host: String) throws {
        let target = try deny.parse("https://\(host)/hook")
        #expect(try deny.admit(target) == nil)  // literal: nothing to resolve, nothing to pin
    }

    @Test func denyPrivate_RefusesLocalhostNames() throws {
        for url in ["http://localhost/", "http://LOCALHOST:8080/", "http://api.localhost/", "http://localhost./"] {
            #expect(throws: WebhookTargetError.self) { try deny.parse(url) }
        }
        #expect(try open.parse("http://localhost:8080/").host == "localhost")
    }

    @Test func admit_ResolvesNameAndRefusesLoopbackResolution() throws {
        // "localhost" resolves through /etc/hosts (no network); parse with the open policy to reach `admit`.
        let target = try open.parse("http://localhost:8080/hook")
        #expect(throws: WebhookTargetError.self) { try deny.admit(target) }
        do {
            _ = try deny.admit(target)
        } catch {
            guard case .privateAddress(let what) = error else {
                Issue.record("expected privateAddress, got \(error)")
                return
            }
            #expect(what.hasPrefix("localhost resolves to "))
        }
    }

    @Test func admit_WithoutDenyNeverResolves() throws {
        let target = try open.parse("http://no-such-host.invalid/")
        #expect(try open.admit(target) == nil)
    }

    @Test func ipAddress_ClassifiesBoundariesOfPrivateRanges() throws {
        func isPublic(_ text: String) throws -> Bool { try #require(IPAddress(parsing: text)).isPublic }
        #expect(try !isPublic("172.16.0.0") && !isPublic("172.31.255.255") && isPublic("172.32.0.0"))
        #expect(try !isPublic("100.64.0.0") && isPublic("100.63.255.255") && isPublic("100.128.0.0"))
        #expect(try !isPublic("198.18.0.0") && !isPublic("198.19.255.255") && isPublic("198.20.0.0"))
        #expect(try isPublic("fbff::1") && !isPublic("fc00::") && !isPublic("fdff:ffff::1") && isPublic("fe7f::1"))
        #expect(IPAddress(parsing: "example.com") == nil && IPAddress(parsing: "1.2.3") == nil)
        #expect(IPAddress(parsing: "::FFFF:7F00:1")?.description == "::ffff:127.0.0.1")
    }
}

/// `admit` with a stand-in resolver (no DNS in tests): pins, refusal on any private address, the cache.
struct WebhookAdmissionTests {
    final class FakeDNS: Sendable {
        let answers: Mutex<[String: [String]]>
        let lookups = Atomic<Int>(0)
        init(_ answers: [String: [String]]) { self.answers = Mutex(answers) }

        func resolve(_ host: String) throws(WebhookTargetError) -> [IPAddress] {
            lookups.add(1, ordering: .relaxed)
            guard let texts = answers.withLock({ $0[host] }) else { throw .unresolvable(host) }
            return texts.compactMap { IPAddress(parsing: $0) }
        }
    }

    @Test func admit_PinsEveryCheckedAddress_IPv6InBrackets() throws {
        let dns = FakeDNS(["hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"]])
        let policy = WebhookTargetPolicy(denyPrivateNetworks: true, resolver: dns.resolve)
        let pin = try policy.admit(try policy.parse("https://Hooks.Example.com/x"))
        #expect(pin == "hooks.example.com:443:93.184.216.34,[2606:2800:220:1::1]")
    }

    @Test func admit_RefusesWhenAnyResolvedAddressIsPrivate_AndWhenNothingResolves() throws {
        let dns = FakeDNS(["rebind.example.com": ["93.184.216.34", "10.0.0.7"], "empty.example.com": []])
        let policy = WebhookTargetPolicy(denyPrivateNetworks: true, resolver: dns.resolve)
        #expect(throws: WebhookTargetError.privateAddress("rebind.example.com resolves to 10.0.0.7")) {
            try policy.admit(try policy.parse("http://rebind.example.com/"))
        }
        #expect(throws: WebhookTargetError.unresolvable("empty.example.com")) {
            try policy.admit(try policy.parse("http://empty.example.com/"))
        }
        #expect(throws: WebhookTargetError.unresolvable("nowhere.example.com")) {
            try policy.admit(try policy.parse("http://nowhere.example.com/"))
        }
    }

    @Test func admit_ReusesAnAdmittedResolution_ButNeverARefusal() throws {
        let dns = FakeDNS(["a.example.com": ["1.1.1.1"], "b.example.com": ["192.168.0.1"]])
        let policy = WebhookTargetPolicy(denyPrivateNetworks: true, resolver: dns.resolve)
        let copy = policy  // copies share the cache
        let a = try policy.parse("http://a.example.com:8080/")
        #expect(try policy.admit(a) == "a.example.com:8080:1.1.1.1")
        #expect(try copy.admit(a) == "a.example.com:8080:1.1.1.1")
        #expect(dns.lookups.load(ordering: .relaxed) == 1)
        let b = try policy.parse("http://b.example.com/")
        for _ in 0..<2 { #expect(throws: WebhookTargetError.self) { try policy.admit(b) } }
        #expect(dns.lookups.load(ordering: .relaxed) == 3)
    }
}
