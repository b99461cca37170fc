/// The Kafka APIs Ferry answers, with the versions it speaks.
///
/// Only ApiVersions v3 among these is a "flexible" version (compact strings, tagged fields); every other range
/// stops before its API's first flexible version, which keeps one (classic) encoding per message. The ranges
/// cover what librdkafka 2.x, kafka-python, aiokafka and the Java client ask for (see ../shared/PITFALLS.md).
public enum KafkaAPIKey: Int16, CaseIterable, Sendable {
    case produce = 0
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case offsetCommit = 8
    case offsetFetch = 9
    case findCoordinator = 10
    case joinGroup = 11
    case heartbeat = 12
    case leaveGroup = 13
    case syncGroup = 14
    case describeGroups = 15
    case listGroups = 16
    case saslHandshake = 17
    case apiVersions = 18
    case createTopics = 19
    case deleteTopics = 20
    case initProducerId = 22
    case createPartitions = 37
    case saslAuthenticate = 36

    /// The versions Ferry decodes and answers.
    public var supportedVersions: ClosedRange<Int16> {
        switch self {
        case .produce: 3...8
        case .fetch: 4...11
        case .listOffsets: 1...5
        case .metadata: 0...8
        case .offsetCommit: 2...7
        case .offsetFetch: 1...5
        case .findCoordinator: 0...2
        case .joinGroup: 0...5
        case .heartbeat: 0...3
        case .leaveGroup: 0...3
        case .syncGroup: 0...3
        case .describeGroups: 0...4
        case .listGroups: 0...2
        case .saslHandshake: 0...1
        case .apiVersions: 0...3
        case .createTopics: 0...4
        case .deleteTopics: 0...3
        case .initProducerId: 0...1
        case .createPartitions: 0...1
        case .saslAuthenticate: 0...1
        }
    }

    /// Whether `version` uses the flexible encoding (request header v2; tagged fields in the body).
    public func isFlexible(_ version: Int16) -> Bool { self == .apiVersions && version >= 3 }
}
