import FoundationEssentials

/// A topic as stored in `<data>/topics/<topic>/topic.json` (written atomically: temp file, fsync, rename,
/// fsync of the directory): the log's view of a topic. The broker's view (its `TopicMetadata`, with the
/// user-facing config) is built from it by the embedded storage engine.
///
/// `attributes` carries settings the storage layer does not interpret (e.g. `cleanup_policy`) for the
/// layers above. Value type.
public struct TopicManifest: Sendable, Equatable, Codable {
    public var name: String
    public var partitionCount: Int
    public var configuration: LogConfiguration
    /// Milliseconds since the Unix epoch when the topic was created.
    public var createdAt: Int64
    public var attributes: [String: String]

    public init(
        name: String, partitionCount: Int, configuration: LogConfiguration, createdAt: Int64,
        attributes: [String: String] = [:]
    ) {
        self.name = name
        self.partitionCount = partitionCount
        self.configuration = configuration
        self.createdAt = createdAt
        self.attributes = attributes
    }

    /// The file's field names (`createdAtMilliseconds` as data dirs have always spelled it).
    enum CodingKeys: String, CodingKey {
        case name, partitionCount, configuration, attributes
        case createdAt = "createdAtMilliseconds"
    }

    /// The file's JSON bytes (sorted keys, so equal metadata gives equal files).
    func encoded() throws(LogError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do {
            return Array(try encoder.encode(self))
        } catch {
            throw LogError.invalidConfiguration("cannot encode topic metadata: \(error)")
        }
    }

    /// Parses a `topic.json`; nil when it is not valid.
    static func decode(_ bytes: [UInt8]) -> TopicManifest? {
        try? JSONDecoder().decode(TopicManifest.self, from: Data(bytes))
    }

    /// Whether `name` is a valid topic name: `[A-Za-z0-9._-]{1,249}`, not `.` or `..`.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 249, name != ".", name != ".." else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }
}
