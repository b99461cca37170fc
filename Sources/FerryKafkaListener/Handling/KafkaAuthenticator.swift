/// Checks SASL/PLAIN credentials for the Kafka-protocol listener (the composition root implements it over
/// Ferry's token file, so a token has the same rights through both doors).
public protocol KafkaAuthenticator: Sendable {
    /// Who `username` / `password` is, or nil when they are wrong. Compares in constant time.
    func authenticate(username: String, password: String) -> KafkaPrincipal?
}

/// An authenticated client of the Kafka-protocol listener and what it may do.
public struct KafkaPrincipal: Sendable {
    public var name: String
    /// Whether it may read (fetch, list offsets, consume in a group) `topic`.
    public var mayRead: @Sendable (_ topic: String) -> Bool
    /// Whether it may produce to `topic`.
    public var mayWrite: @Sendable (_ topic: String) -> Bool
    /// Whether it may create, grow or delete topics.
    public var mayAdminister: Bool

    public init(
        name: String, mayRead: @escaping @Sendable (String) -> Bool, mayWrite: @escaping @Sendable (String) -> Bool,
        mayAdminister: Bool
    ) {
        self.name = name
        self.mayRead = mayRead
        self.mayWrite = mayWrite
        self.mayAdminister = mayAdminister
    }
}
