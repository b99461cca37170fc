/// The members of a JSON object, in the order they were written, duplicates included.
///
/// Lookup by key returns the **last** member with that key (as most parsers do); ``members`` keeps every
/// duplicate so serialization reproduces the input. Lookup is a linear scan, which is fastest for the small
/// objects of request bodies; objects with thousands of keys should be iterated instead.
public struct JSONObject: Sendable, Equatable, Sequence {
    /// One key/value member.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// All members in input order.
    public var members: [Member]

    public init(_ members: [Member] = []) { self.members = members }

    /// Builds an object from key/value pairs, in order.
    public init(pairs: [(String, JSONValue)]) { self.members = pairs.map { Member(key: $0.0, value: $0.1) } }

    /// The number of members (duplicates counted).
    public var count: Int { members.count }

    /// The value of the last member named `key`, or nil.
    public subscript(key: String) -> JSONValue? {
        for member in members.reversed() where member.key == key { return member.value }
        return nil
    }

    /// Appends a member (even if the key already exists; the new one wins on lookup).
    public mutating func append(_ key: String, _ value: JSONValue) { members.append(Member(key: key, value: value)) }

    /// The keys in order, duplicates included.
    public var keys: [String] { members.map(\.key) }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }
}
