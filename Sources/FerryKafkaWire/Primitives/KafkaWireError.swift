/// Why bytes received on the Kafka protocol could not be decoded. A malformed frame closes its connection
/// (Kafka brokers do the same); it never reaches the broker.
public enum KafkaWireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The frame ended before the field at `position` did.
    case truncated(position: Int)
    /// A length, count or value no valid message carries.
    case invalid(String)

    public var description: String {
        switch self {
        case .truncated(let position): "frame truncated at byte \(position)"
        case .invalid(let reason): reason
        }
    }
}
