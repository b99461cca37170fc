import FerryHTTP
import FerrySystem
import Synchronization

/// Bearer-token access control loaded from an auth file (`--auth-file`): who a request is, and what the
/// file's tokens may do. Enforced by ``FerryAPI`` in one place, the router's admission hook (see
/// ``AccessRule``).
///
/// Thread-safe: the current ``AccessTokens`` sit behind a `Mutex` and are swapped whole by ``reload()`` (e.g.
/// on SIGHUP), so requests in flight keep the table they started with and no connection is dropped. Tokens
/// are kept only as SHA-256 digests and never logged; ``authenticate(_:)`` compares in constant time.
public final class AccessControl: Sendable {
    /// The outcome of reading a request's `Authorization` header.
    public enum Authentication: Sendable, Equatable {
        /// No `Authorization: Bearer …` header.
        case missing
        /// A bearer token that is not in the file.
        case unknown
        case principal(AccessPrincipal)
    }

    /// The file the tokens come from.
    public let path: String
    let tokens: Mutex<AccessTokens>

    /// Loads `path`. Throws (with a one-line description) when it cannot be read or is not a valid token file.
    public init(path: String) throws(AccessFileError) {
        self.path = path
        self.tokens = Mutex(try Self.load(path))
    }

    /// Access control over an already parsed table (tests; ``reload()`` then re-reads `path`).
    public init(tokens: AccessTokens, path: String = "(memory)") {
        self.path = path
        self.tokens = Mutex(tokens)
    }

    /// Re-reads the file and swaps the table in. On any error the current tokens stay and the error is thrown.
    /// Returns the number of tokens now loaded. Blocks on file I/O.
    @discardableResult
    public func reload() throws(AccessFileError) -> Int {
        let fresh = try Self.load(path)
        tokens.withLock { $0 = fresh }
        return fresh.count
    }

    /// The number of tokens loaded.
    public var tokenCount: Int { tokens.withLock { $0.count } }

    /// Reads the request's bearer token and looks it up (constant time over the token's content).
    public func authenticate(_ request: HTTPRequest) -> Authentication {
        guard let token = Self.bearerToken(request.headers["Authorization"]) else { return .missing }
        let table = tokens.withLock { $0 }
        guard let principal = table.principal(forToken: token.utf8) else { return .unknown }
        return .principal(principal)
    }

    /// Who `token` belongs to, or nil (for credentials that do not come in a header: Kafka's SASL/PLAIN).
    public func principal(forToken token: String) -> AccessPrincipal? {
        let table = tokens.withLock { $0 }
        return table.principal(forToken: token.utf8)
    }

    /// The token of an `Authorization: Bearer <token>` value (scheme case-insensitive), or nil.
    static func bearerToken(_ header: String?) -> Substring? {
        guard let header else { return nil }
        let trimmed = header.drop { $0 == " " || $0 == "\t" }
        guard trimmed.count > 7, trimmed.prefix(6).lowercased() == "bearer",
            let separator = trimmed.dropFirst(6).first, separator == " " || separator == "\t"
        else { return nil }
        var token = trimmed.dropFirst(7).drop { $0 == " " || $0 == "\t" }
        while let last = token.last, last == " " || last == "\t" { token = token.dropLast() }
        return token.isEmpty ? nil : token
    }

    static func load(_ path: String) throws(AccessFileError) -> AccessTokens {
        let bytes: [UInt8]?
        do {
            bytes = try FileSystem.readFile(path)
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        guard let bytes else { throw .unreadable(path: path, reason: "no such file") }
        return try AccessTokens.parse(bytes, path: path)
    }
}
