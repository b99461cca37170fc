/// The on-disk format of a record batch (all integers little-endian, no padding, no alignment).
///
/// One `append` call writes exactly one batch; the batch is the unit of atomicity and of checksumming.
/// A segment file (`.log`) is a plain concatenation of batches, followed after a crash by at most a torn
/// batch and zero bytes of preallocated space, which recovery truncates.
///
/// ```
/// Batch (40-byte header + records)
/// +0   u32 batchLength     total bytes of the batch, header included (>= 40 + 26 * recordCount)
/// +4   u32 crc             CRC32C (Castagnoli) of bytes [8, batchLength): everything after this field
/// +8   i64 baseOffset      offset of the first record; records take baseOffset ..< baseOffset + recordCount
/// +16  u32 recordCount     >= 1
/// +20  u8  magic           1
/// +21  u8  attributes      bit 0: records carry flags in their headerCount field (every batch written now)
/// +22  u16 reserved        0
/// +24  i64 firstTimestamp  timestamp of the first record
/// +32  i64 maxTimestamp    largest record timestamp in the batch
/// +40  records[recordCount]
///
/// Record (26-byte header + variable part)
/// +0   u32 recordLength    total bytes of the record, this field included
/// +4   u32 offsetDelta     offset - baseOffset (0, 1, 2, ... in order)
/// +8   i64 timestamp       milliseconds since the Unix epoch
/// +16  i32 keyLength       -1: no key (nil), 0: empty key
/// +20  i32 valueLength     -1: tombstone (nil value), 0: empty value
/// +24  u16 headerCount     with attribute bit 0: bits 0-14 the count, bit 15 "the value is raw bytes, not JSON"
///                          (without it, as in older data: all 16 bits are the count)
/// +26  key bytes, value bytes, then headerCount times:
///        u16 nameLength, name (UTF-8), u32 valueLength, value bytes
/// ```
///
/// Every record's bytes are covered by its batch's CRC, which readers verify before returning any record of
/// the batch; record lengths are additionally bounds-checked, so a corrupt record is never returned.
public enum RecordBatchFormat {
    /// Bytes of the batch header.
    public static let batchHeaderSize = 40
    /// Bytes of a record header (before key, value and headers).
    public static let recordHeaderSize = 26
    /// The only magic byte this version writes and reads.
    public static let magic: UInt8 = 1
    /// The largest batch (and segment) size: positions in a segment fit in an `u32` with room to spare.
    public static let maximumBatchBytes = 1 << 30
    /// Batch attribute bit 0: the records' headerCount fields carry flags in bit 15.
    static let recordFlagsAttribute: UInt8 = 1
    /// Record flag (headerCount bit 15): the value is opaque bytes, not JSON text.
    static let rawValueFlag: UInt16 = 0x8000
    /// The most headers a record can have (15 bits).
    public static let maximumHeaderCount = 0x7FFF

    // Field offsets in the batch header.
    static let lengthOffset = 0
    static let crcOffset = 4
    static let baseOffsetOffset = 8
    static let recordCountOffset = 16
    static let magicOffset = 20
    static let attributesOffset = 21
    static let firstTimestampOffset = 24
    static let maxTimestampOffset = 32
}

/// Little-endian loads and stores at unaligned byte offsets (records are not aligned).
extension UnsafeRawPointer {
    @inline(__always) func u32(_ at: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }
    @inline(__always) func u16(_ at: Int) -> UInt16 {
        UInt16(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt16.self))
    }
    @inline(__always) func i32(_ at: Int) -> Int32 {
        Int32(littleEndian: loadUnaligned(fromByteOffset: at, as: Int32.self))
    }
    @inline(__always) func i64(_ at: Int) -> Int64 {
        Int64(littleEndian: loadUnaligned(fromByteOffset: at, as: Int64.self))
    }
}

extension UnsafeMutableRawPointer {
    @inline(__always) func put(_ value: UInt32, _ at: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: at, as: UInt32.self)
    }
    @inline(__always) func put(_ value: UInt16, _ at: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: at, as: UInt16.self)
    }
    @inline(__always) func put(_ value: Int32, _ at: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: at, as: Int32.self)
    }
    @inline(__always) func put(_ value: Int64, _ at: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: at, as: Int64.self)
    }
    @inline(__always) func put(_ value: UInt8, _ at: Int) { storeBytes(of: value, toByteOffset: at, as: UInt8.self) }
}
