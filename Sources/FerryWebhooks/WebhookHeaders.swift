/// The request headers of one delivery attempt. Stateless; thread-safe.
public enum WebhookHeaders {
    /// Header names a subscription's custom headers may not set: the Standard Webhooks ones, the content type,
    /// and those that frame or route the request (libcurl sets them).
    public static let reservedNames: Set<String> = [
        "webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "content-length",
        "transfer-encoding", "connection", "expect", "host", "te", "upgrade", "keep-alive", "trailer",
    ]

    /// Headers in order: `content-type: application/json`, `webhook-id`, `webhook-timestamp`,
    /// `webhook-signature` (only when `signer` is given), then the subscription's `custom` headers except those
    /// in ``reservedNames`` (compared case-insensitively) — so custom headers never override the webhook ones.
    public static func make(
        id: String, timestamp: Int64, body: [UInt8], signer: WebhookSigner?,
        custom: [(name: String, value: String)]
    ) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            (name: "content-type", value: "application/json"),
            (name: "webhook-id", value: id),
            (name: "webhook-timestamp", value: String(timestamp)),
        ]
        if let signer {
            headers.append(
                (name: "webhook-signature", value: signer.signature(id: id, timestamp: timestamp, body: body)))
        }
        for header in custom where !reservedNames.contains(header.name.lowercased()) {
            headers.append(header)
        }
        return headers
    }

    /// Checks one custom header at create/PATCH time: a non-empty RFC 9110 token as name, not reserved, and a
    /// value of visible ASCII/UTF-8, spaces and tabs only (no CR, LF or NUL). Returns why it is refused, or nil.
    public static func problem(name: String, value: String) -> String? {
        let tokenSymbols = Set("!#$%&'*+-.^_`|~".utf8)
        guard !name.isEmpty,
            name.utf8.allSatisfy({ $0 < 0x80 && (isAlphanumeric($0) || tokenSymbols.contains($0)) })
        else { return "header name \"\(name)\" is not a valid token" }
        guard !reservedNames.contains(name.lowercased()) else { return "header \"\(name)\" cannot be overridden" }
        guard value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else {
            return "header \"\(name)\" has a control character in its value"
        }
        return nil
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}
