/// Kafka's 32-bit murmur2 hash (`org.apache.kafka.common.utils.Utils.murmur2`), bit for bit.
///
/// The default partitioner picks `(murmur2(keyBytes) & 0x7fffffff) % partitionCount`; using the same function
/// lets a key land on the partition a Kafka producer would choose. Pure function, safe from any thread.
public enum Murmur2 {
    /// Kafka's seed.
    public static let seed: UInt32 = 0x9747_b28c

    /// The hash of `bytes` as Kafka's `int` (signed, two's complement).
    public static func hash<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int32 {
        let result: UInt32? = bytes.withContiguousStorageIfAvailable { hash(UnsafeRawBufferPointer($0)) }
        if let result { return Int32(bitPattern: result) }
        return Int32(bitPattern: Array(bytes).withUnsafeBytes { hash($0) })
    }

    static func hash(_ data: UnsafeRawBufferPointer) -> UInt32 {
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        let length = data.count
        var h = seed ^ UInt32(truncatingIfNeeded: length)
        var i = 0
        while i + 4 <= length {
            var k = UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
            i += 4
        }
        let tail = length & 3
        if tail == 3 { h ^= UInt32(data[i + 2]) << 16 }
        if tail >= 2 { h ^= UInt32(data[i + 1]) << 8 }
        if tail >= 1 {
            h ^= UInt32(data[i])
            h = h &* m
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return h
    }

    /// The partition Kafka's default partitioner chooses for a keyed record.
    public static func partition<Bytes: Collection<UInt8>>(forKey key: Bytes, partitionCount: Int) -> Int {
        precondition(partitionCount > 0, "partitionCount must be positive, got \(partitionCount)")
        return Int(UInt32(bitPattern: hash(key)) & 0x7fff_ffff) % partitionCount
    }
}
