import FerryLog
import FerrySystem

/// Little-endian reads of file bytes (tests only; every index is in bounds by construction).
private func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
}

private func i64(_ bytes: [UInt8], _ at: Int) -> Int64 {
    Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) })
}

/// An `.index` file's entries up to the first all-zero one (the preallocated space of an active segment).
func offsetIndexEntries(_ path: String) throws -> [(relativeOffset: UInt32, position: UInt32)] {
    let bytes = try fileBytes(path)
    var entries: [(relativeOffset: UInt32, position: UInt32)] = []
    for at in stride(from: 0, to: bytes.count - 7, by: 8) {
        let entry = (relativeOffset: u32(bytes, at), position: u32(bytes, at + 4))
        if entry.relativeOffset == 0 && entry.position == 0 { break }
        entries.append(entry)
    }
    return entries
}

/// A `.timeindex` file's entries up to the first all-zero one.
func timeIndexEntries(_ path: String) throws -> [(timestamp: Int64, relativeOffset: UInt32)] {
    let bytes = try fileBytes(path)
    var entries: [(timestamp: Int64, relativeOffset: UInt32)] = []
    for at in stride(from: 0, to: bytes.count - 11, by: 12) {
        let entry = (timestamp: i64(bytes, at), relativeOffset: u32(bytes, at + 8))
        if entry.timestamp == 0 && entry.relativeOffset == 0 { break }
        entries.append(entry)
    }
    return entries
}

/// The batches of a `.log` file: position → base offset, walking batch lengths until a zero length or the end.
func batchStarts(_ path: String) throws -> [UInt32: Int64] {
    let bytes = try fileBytes(path)
    var starts: [UInt32: Int64] = [:]
    var position = 0
    while position + 40 <= bytes.count {
        let length = Int(u32(bytes, position))
        if length == 0 { break }
        starts[UInt32(position)] = i64(bytes, position + 8)
        position += length
    }
    return starts
}
