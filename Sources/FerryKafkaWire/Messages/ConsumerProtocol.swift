/// The payloads of Kafka's "consumer" group protocol, which the broker only carries: a member's subscription
/// (JoinGroup metadata) and its assignment (SyncGroup). Read to show Kafka members' topics and partitions next to
/// HTTP members; anything unreadable reads as empty (the bytes are the clients' business).
public enum ConsumerProtocol {
    /// The topics of a subscription: `version int16, topics [STRING], user_data BYTES, …`.
    public static func topics(subscription: [UInt8]) -> [String] {
        var reader = KafkaReader(subscription)
        do {
            _ = try reader.int16()
            return try reader.array(minimumElementBytes: 2) { reader throws(KafkaWireError) in try reader.string() }
        } catch {
            return []
        }
    }

    /// The partitions of an assignment: `version int16, [topic STRING, partitions [INT32]], user_data BYTES`.
    public static func partitions(assignment: [UInt8]) -> [(topic: String, partitions: [Int32])] {
        var reader = KafkaReader(assignment)
        do {
            _ = try reader.int16()
            return try reader.array(minimumElementBytes: 6) { reader throws(KafkaWireError) in
                (
                    try reader.string(),
                    try reader.array(minimumElementBytes: 4) { reader throws(KafkaWireError) in try reader.int32() }
                )
            }
        } catch {
            return []
        }
    }
}
