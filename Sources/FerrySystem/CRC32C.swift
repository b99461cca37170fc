import CFerryLinux

/// CRC32C (Castagnoli polynomial, as used by Kafka record batches, iSCSI and ext4).
///
/// Uses the SSE4.2 `crc32` instruction when the CPU has it (≈ 11 GB/s here), else slicing-by-8.
/// Pure function; safe from any thread.
public enum CRC32C {
    /// The checksum of `bytes`, continuing from `crc` (0 to start a new checksum).
    @inline(__always)
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return cferry_crc32c(crc, base, bytes.count)
    }

    /// The checksum of a byte collection (copies only if it has no contiguous storage).
    public static func checksum<Bytes: Sequence<UInt8>>(of bytes: Bytes, continuing crc: UInt32 = 0) -> UInt32 {
        if let result = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), continuing: crc) }
        ) {
            return result
        }
        return Array(bytes).withUnsafeBytes { checksum($0, continuing: crc) }
    }
}
