import FerryLog

/// The records the crash child writes: everything is derived from a sequence number, so the parent can
/// check any record it finds without knowing what the child did.
enum CrashRecord {
    static func make(_ sequence: Int) -> RecordInput {
        RecordInput(
            key: Array("seq-\(sequence)".utf8), value: value(sequence),
            headers: [RecordHeader(name: "h", value: "\(sequence % 7)")], timestamp: Int64(sequence))
    }

    static func value(_ sequence: Int) -> [UInt8] {
        let length = 20 + (sequence * 37) % 300
        return (0..<length).map { UInt8(truncatingIfNeeded: sequence &* 31 &+ $0 &* 7) }
    }
}
