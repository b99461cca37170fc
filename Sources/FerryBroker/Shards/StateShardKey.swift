/// The name of one piece of Ferry's own state, which decides the shard (partition of the `__ferry_*` topics)
/// it lives in: `murmur2(kind, names) mod shardCount`, the same on every node.
public enum StateShardKey: Sendable, Hashable {
    case group(String)
    case queue(topic: String, name: String)
    case subscription(topic: String, name: String)
    /// A remembered produce answer (`Idempotency-Key` on `topic`).
    case idempotency(topic: String, key: String)

    /// The shard among `count` (at least 1) this key lives in.
    public func shard(among count: Int) -> Int {
        guard count > 1 else { return 0 }
        var bytes: [UInt8]
        switch self {
        case .group(let name): bytes = Array("g\u{0}\(name)".utf8)
        case .queue(let topic, let name): bytes = Array("q\u{0}\(topic)\u{0}\(name)".utf8)
        case .subscription(let topic, let name): bytes = Array("s\u{0}\(topic)\u{0}\(name)".utf8)
        case .idempotency(let topic, let key): bytes = Array("i\u{0}\(topic)\u{0}\(key)".utf8)
        }
        return Int(Murmur2.hash(bytes) & 0x7fff_ffff) % count
    }
}
