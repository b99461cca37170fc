import Crypto
import FerryJSON

/// Why an auth file was refused (at start-up: the server does not start; on SIGHUP: the old tokens stay).
/// Messages name the file and the offending entry, never a token.
public enum AccessFileError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be read (missing, permissions, …).
    case unreadable(path: String, reason: String)
    /// The file is not a valid token file.
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read auth file \(path): \(reason)"
        case .invalid(let path, let reason): "invalid auth file \(path): \(reason)"
        }
    }
}

/// The parsed contents of a token file: for every token its name, the SHA-256 digest of the token (the
/// token itself is not kept) and its grants. Immutable value; `Sendable`.
///
/// File format (API.md "Authentication"):
/// ```json
/// {"tokens": [{"name": "ci", "token": "s3cret",
///              "rights": [{"right": "produce", "topics": "orders*"}, {"right": "admin", "topics": "*"}]}]}
/// ```
/// Names and tokens must be non-empty and unique; `rights` may be empty (a token that can only list nothing).
public struct AccessTokens: Sendable {
    struct Entry: Sendable {
        /// SHA-256 of the token (32 bytes).
        let digest: [UInt8]
        let principal: AccessPrincipal
    }

    let entries: [Entry]

    /// The number of tokens.
    public var count: Int { entries.count }

    /// Parses a token file's bytes; `path` only names the file in errors.
    public static func parse(_ bytes: [UInt8], path: String) throws(AccessFileError) -> AccessTokens {
        func invalid(_ reason: String) -> AccessFileError { .invalid(path: path, reason: reason) }
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes)
        } catch {
            throw invalid("not valid JSON (\(error))")
        }
        guard case .object(let object) = root, case .array(let tokens)? = object["tokens"] else {
            throw invalid("expected an object with a \"tokens\" array")
        }
        var entries: [Entry] = []
        var names: Set<String> = []
        for (index, item) in tokens.enumerated() {
            let at = "tokens[\(index)]"
            guard case .object(let token) = item else { throw invalid("\(at) must be an object") }
            guard case .string(let name)? = token["name"], !name.isEmpty else {
                throw invalid("\(at).name must be a non-empty string")
            }
            guard case .string(let secret)? = token["token"], !secret.isEmpty else {
                throw invalid("\(at).token must be a non-empty string")
            }
            guard names.insert(name).inserted else { throw invalid("\(at): duplicate name '\(name)'") }
            let digest = Array(SHA256.hash(data: Array(secret.utf8)))
            // Loading is not on a request path: a plain comparison is fine here.
            if entries.contains(where: { $0.digest == digest }) {
                throw invalid("\(at) ('\(name)'): the same token is given twice")
            }
            guard case .array(let rights)? = token["rights"] else {
                throw invalid("\(at).rights must be an array")
            }
            var grants: [AccessGrant] = []
            for (rightIndex, rightItem) in rights.enumerated() {
                let rat = "\(at).rights[\(rightIndex)]"
                guard case .object(let grant) = rightItem else { throw invalid("\(rat) must be an object") }
                guard case .string(let rightName)? = grant["right"], let right = AccessRight(rawValue: rightName) else {
                    throw invalid("\(rat).right must be \"produce\", \"consume\" or \"admin\"")
                }
                guard case .string(let topicsText)? = grant["topics"], let topics = TopicPattern(topicsText) else {
                    throw invalid("\(rat).topics must be a topic name or a prefix ending in '*'")
                }
                grants.append(AccessGrant(right: right, topics: topics))
            }
            entries.append(Entry(digest: digest, principal: AccessPrincipal(name: name, grants: grants)))
        }
        return AccessTokens(entries: entries)
    }

    /// The principal whose token is `token`, or nil.
    ///
    /// Constant time with respect to the token's content: the presented token is hashed once, and its digest
    /// is compared with every stored digest over all 32 bytes without an early exit (the time depends only on
    /// the number of tokens in the file).
    public func principal(forToken token: some Sequence<UInt8>) -> AccessPrincipal? {
        let presented = Array(SHA256.hash(data: Array(token)))
        var found = -1
        for (index, entry) in entries.enumerated() {
            var difference: UInt8 = 0
            for i in 0..<min(entry.digest.count, presented.count) { difference |= entry.digest[i] ^ presented[i] }
            // Branch-free select: keeps the matching index (tokens are unique, so at most one matches).
            let isMatch = Int(truncatingIfNeeded: (UInt16(difference) &- 1) >> 15)  // 1 when difference == 0
            found = isMatch * index + (1 - isMatch) * found
        }
        return found >= 0 ? entries[found].principal : nil
    }
}
