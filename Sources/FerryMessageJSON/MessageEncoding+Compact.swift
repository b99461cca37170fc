import FerryBroker
import FerryJSON

/// The fetch hot path's fast form of ``MessageEncoding/writeGeneral(_:topic:partition:base64:into:)``: the
/// whole message object is formatted into one stack buffer and handed to the writer in a single append, instead
/// of ~20 separate appends (each with its own uniqueness and capacity check).
///
/// Output is byte-for-byte the general writer's (same member order, same escaping: `\"`, `\\`, `\b \f \n \r \t`,
/// other control characters as lowercase `\u00xx`, everything else as is). It covers messages without headers,
/// without `encoding=base64`, whose key and raw value are valid UTF-8 and whose encoded size bound is at most
/// ``maxCompactBytes``; anything else returns false and the caller uses the general writer.
extension MessageEncoding {
    /// Upper bound of the formatted size handled here (larger messages are dominated by their copy anyway).
    package static let maxCompactBytes = 16_384

    /// Writes `message` like the general writer and returns true, or writes nothing and returns false.
    package static func writeCompact(
        _ message: borrowing StoredMessage, topic: String, partition: Int, into writer: inout JSONWriter
    ) -> Bool {
        // Bound: literals (< 128) + 3 numbers (<= 20 each) + escaped strings (<= 6 bytes per input byte).
        var bound = 128 + 60
        var topic = topic
        let topicCount = topic.utf8.count
        bound += 2 + 6 * topicCount
        if let key = message.key {
            guard isValidUTF8(key) else { return false }
            bound += 2 + 6 * key.count
        }
        let jsonValue = message.valueFormat == .json
        if let value = message.value {
            if jsonValue {
                bound += value.count
            } else {
                guard isValidUTF8(value) else { return false }
                bound += 2 + 6 * value.count
            }
        }
        guard bound <= maxCompactBytes else { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bound) { buffer -> Bool in
            var out = CompactOutput(base: buffer.baseAddress!)  // bound > 0: the literals alone
            out.literal("{\"topic\":")
            topic.withUTF8 { out.escaped(UnsafeRawBufferPointer($0)) }
            out.literal(",\"partition\":")
            out.decimal(Int64(partition))
            out.literal(",\"offset\":")
            out.decimal(message.offset)
            out.literal(",\"timestamp\":")
            out.decimal(message.timestamp)
            out.literal(",\"key\":")
            if let key = message.key { out.escaped(key) } else { out.literal("null") }
            out.literal(",\"value\":")
            if let value = message.value {
                if jsonValue { out.raw(value) } else { out.escaped(value) }
            } else {
                out.literal("null")
            }
            out.literal(",\"headers\":{}}")
            assert(out.count <= bound)
            writer.rawJSON(UnsafeRawBufferPointer(start: buffer.baseAddress, count: out.count))
            return true
        }
    }
}
