/// Constants of Kafka's record batch format v2 ("magic 2"), the only one Ferry reads and writes.
///
/// ```
/// baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 (2) | crc uint32
/// attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64
/// producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records…
/// ```
/// `batchLength` counts from `partitionLeaderEpoch` to the end; the CRC-32C covers `attributes` to the end.
/// Attributes: bits 0–2 compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), bit 3 log-append time,
/// bit 4 transactional, bit 5 control batch. A record is `length varint | attributes int8 | timestampDelta
/// varlong | offsetDelta varint | key (varint length, -1 = null) | value (likewise) | header count varint |
/// headers (varint key length, key, varint value length (-1 = null), value)`.
public enum KafkaRecordBatch {
    /// Bytes before `batchLength`'s counted part: baseOffset + batchLength.
    public static let logOverhead = 12
    /// Bytes of the whole header, up to and including the record count.
    public static let headerSize = 61
    /// Offset of the CRC field within a batch.
    static let crcOffset = 17
    /// Offset of the attributes field (where the CRC's coverage starts).
    static let attributesOffset = 21

    public enum Compression: Int16, Sendable {
        case none = 0
        case gzip = 1
        case snappy = 2
        case lz4 = 3
        case zstd = 4
    }

    static let compressionMask: Int16 = 0x07
    static let controlBit: Int16 = 0x20
    static let transactionalBit: Int16 = 0x10
}
