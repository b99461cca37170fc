/// Validation of the names the API accepts (see API.md "Conventions").
public enum ResourceName {
    /// `[A-Za-z0-9._-]{1,249}`.
    public static func isValid(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard !utf8.isEmpty, utf8.count <= 249 else { return false }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }

    /// A name users may create: valid, not `.` or `..`, not starting with `__` (reserved for internal topics).
    public static func isValidTopic(_ name: String) -> Bool {
        isValid(name) && name != "." && name != ".." && !isInternalTopic(name)
    }

    /// Internal topics (`__ferry_groups`, …) start with `__` and are never listed. Compares bytes (every produce
    /// and fetch asks): `String.hasPrefix` compares characters, about ten times the work.
    public static func isInternalTopic(_ name: String) -> Bool {
        var bytes = name.utf8.makeIterator()
        return bytes.next() == UInt8(ascii: "_") && bytes.next() == UInt8(ascii: "_")
    }

    /// Throws ``BrokerError/invalidTopicName(_:)`` unless `name` is a valid user topic name.
    public static func validateTopic(_ name: String) throws(BrokerError) {
        guard isValidTopic(name) else { throw .invalidTopicName(name) }
    }

    /// Throws ``BrokerError/invalidName(kind:name:)`` unless `name` is valid for a group, queue or subscription.
    public static func validate(_ name: String, kind: String) throws(BrokerError) {
        guard isValid(name) else { throw .invalidName(kind: kind, name: name) }
    }
}
