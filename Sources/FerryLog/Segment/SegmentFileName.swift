/// The file names of a segment: its base offset as 20 zero-padded decimal digits plus a suffix
/// (`00000000000000000042.log`, `.index`, `.timeindex`), as Kafka names them.
struct SegmentFileName {
    static let logSuffix = ".log"
    static let indexSuffix = ".index"
    static let timeIndexSuffix = ".timeindex"

    /// The 20-digit name of `baseOffset`.
    static func stem(_ baseOffset: Int64) -> String {
        let digits = String(baseOffset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The base offset encoded in a `.log` file name, or nil when the name is not a segment's.
    static func baseOffset(ofLogFile name: String) -> Int64? {
        guard name.hasSuffix(logSuffix) else { return nil }
        let stem = name.dropLast(logSuffix.count)
        guard stem.utf8.count == 20, stem.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(stem)
    }
}

/// The three paths of one segment inside a partition directory.
struct SegmentPaths: Sendable, Equatable {
    let log: String
    let index: String
    let timeIndex: String

    init(directory: String, baseOffset: Int64) {
        let stem = directory + "/" + SegmentFileName.stem(baseOffset)
        log = stem + SegmentFileName.logSuffix
        index = stem + SegmentFileName.indexSuffix
        timeIndex = stem + SegmentFileName.timeIndexSuffix
    }
}
