#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 address, and whether a webhook may connect to it. Immutable value; `Sendable`.
enum IPAddress: Sendable, Equatable, CustomStringConvertible {
    case v4(UInt32)
    /// 16 bytes in network order.
    case v6([UInt8])

    /// Parses a dotted-quad IPv4 or an IPv6 literal (no brackets, no zone), as `inet_pton` does; nil otherwise.
    init?(parsing text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(UInt32(bigEndian: v4.s_addr))
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        self = .v6(withUnsafeBytes(of: v6) { Array($0) })
    }

    var isIPv6: Bool { if case .v6 = self { true } else { false } }

    /// The canonical text (`inet_ntop`).
    var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch self {
        case .v4(let value):
            var address = in_addr(s_addr: value.bigEndian)
            inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
        case .v6(let bytes):
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
            inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// False for every address a webhook must not reach with `--webhook-deny-private`: unspecified, loopback,
    /// private (RFC 1918), CGNAT, link-local, IETF/documentation/benchmark ranges, multicast, reserved and
    /// broadcast IPv4; for IPv6 the unspecified and loopback addresses, ULA (fc00::/7), link-local and site-local,
    /// multicast, documentation, discard, and every form embedding an IPv4 address (mapped, compatible, NAT64,
    /// 6to4) whose IPv4 address is not public.
    var isPublic: Bool {
        switch self {
        case .v4(let value): Self.isPublicV4(value)
        case .v6(let bytes): Self.isPublicV6(bytes)
        }
    }

    /// IPv4 ranges that are not public: (network, prefix length).
    private static let deniedV4: [(UInt32, Int)] = [
        (0x0000_0000, 8),  // 0.0.0.0/8 "this network"
        (0x0A00_0000, 8),  // 10/8 private
        (0x6440_0000, 10),  // 100.64/10 CGNAT
        (0x7F00_0000, 8),  // 127/8 loopback
        (0xA9FE_0000, 16),  // 169.254/16 link-local
        (0xAC10_0000, 12),  // 172.16/12 private
        (0xC000_0000, 24),  // 192.0.0/24 IETF protocol assignments
        (0xC000_0200, 24),  // 192.0.2/24 TEST-NET-1
        (0xC058_6300, 24),  // 192.88.99/24 6to4 relay anycast
        (0xC0A8_0000, 16),  // 192.168/16 private
        (0xC612_0000, 15),  // 198.18/15 benchmarking
        (0xC633_6400, 24),  // 198.51.100/24 TEST-NET-2
        (0xCB00_7100, 24),  // 203.0.113/24 TEST-NET-3
        (0xE000_0000, 4),  // 224/4 multicast
        (0xF000_0000, 4),  // 240/4 reserved, includes 255.255.255.255
    ]

    private static func isPublicV4(_ value: UInt32) -> Bool {
        !deniedV4.contains { network, length in value >> UInt32(32 - length) == network >> UInt32(32 - length) }
    }

    private static func isPublicV6(_ bytes: [UInt8]) -> Bool {
        func embeddedV4(at offset: Int) -> UInt32 {
            bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
        }
        let first10 = bytes[0..<10].allSatisfy { $0 == 0 }
        if first10 && bytes[10] == 0xFF && bytes[11] == 0xFF { return isPublicV4(embeddedV4(at: 12)) }  // ::ffff:0:0/96
        if first10 && bytes[10] == 0 && bytes[11] == 0 { return false }  // ::/96: unspecified, loopback, v4-compatible
        if bytes[0] == 0x00, bytes[1] == 0x64, bytes[2] == 0xFF, bytes[3] == 0x9B {  // 64:ff9b::/96 and /48 NAT64
            return isPublicV4(embeddedV4(at: 12))
        }
        if bytes[0] == 0x20, bytes[1] == 0x02 { return isPublicV4(embeddedV4(at: 2)) }  // 2002::/16 6to4
        if bytes[0] & 0xFE == 0xFC { return false }  // fc00::/7 unique local
        if bytes[0] == 0xFE, bytes[1] & 0xC0 == 0x80 { return false }  // fe80::/10 link-local
        if bytes[0] == 0xFE, bytes[1] & 0xC0 == 0xC0 { return false }  // fec0::/10 site-local (deprecated)
        if bytes[0] == 0xFF { return false }  // ff00::/8 multicast
        if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0x0D, bytes[3] == 0xB8 { return false }  // 2001:db8::/32
        if bytes[0] == 0x01, bytes[1...7].allSatisfy({ $0 == 0 }) { return false }  // 100::/64 discard
        return true
    }
}

/// Name resolution for ``WebhookTargetPolicy/admit(_:)``. **Blocks** in getaddrinfo.
enum Resolver {
    /// Every address `host` resolves to (TCP), deduplicated, in resolver order.
    static func resolve(host: String) throws(WebhookTargetError) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, nil, &hints, &list)
        guard code == 0 else {
            throw .unresolvable("\(host): \(String(cString: gai_strerror(code)))")
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var node = list
        while let entry = node?.pointee {
            defer { node = entry.ai_next }
            guard let socketAddress = entry.ai_addr else { continue }
            let address: IPAddress
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                let v4 = UnsafeRawPointer(socketAddress).loadUnaligned(as: sockaddr_in.self)
                address = .v4(UInt32(bigEndian: v4.sin_addr.s_addr))
            case AF_INET6:
                let v6 = UnsafeRawPointer(socketAddress).loadUnaligned(as: sockaddr_in6.self)
                address = .v6(withUnsafeBytes(of: v6.sin6_addr) { Array($0) })
            default:
                continue
            }
            if !addresses.contains(address) { addresses.append(address) }
        }
        return addresses
    }
}
