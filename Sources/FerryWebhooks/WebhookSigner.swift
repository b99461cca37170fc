import Crypto
import FerryJSON

/// Why a subscription secret cannot be used for signing.
public enum WebhookSecretError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The part after `whsec_` is not valid standard base64.
    case invalidBase64
    /// The key is empty (an empty secret, or `whsec_` followed by nothing).
    case emptyKey

    public var description: String {
        switch self {
        case .invalidBase64: "secret: the part after \"whsec_\" is not valid base64"
        case .emptyKey: "secret: the signing key is empty"
        }
    }
}

/// Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256>`
/// over `"{id}.{timestamp}.{body}"`.
///
/// The key: a secret `"whsec_<base64>"` is used as the Standard Webhooks libraries do (the base64-decoded rest is
/// the key); any other secret's UTF-8 bytes are the key. Immutable value; `Sendable`; never blocks.
public struct WebhookSigner: Sendable {
    /// The HMAC key bytes (`SymmetricKey` itself is not `Sendable`; one is made per signature).
    private let key: [UInt8]

    /// - Throws: ``WebhookSecretError`` for bad base64 after `whsec_` or an empty key (the API answers 400
    ///   `invalid-parameter`).
    public init(secret: String) throws(WebhookSecretError) {
        let bytes: [UInt8]
        if secret.hasPrefix("whsec_") {
            // Secrets are base64 with or without padding.
            var text = String(secret.dropFirst(6))
            while text.utf8.count % 4 != 0 { text += "=" }
            guard let decoded = try? Base64.decode(text) else { throw .invalidBase64 }
            bytes = decoded
        } else {
            bytes = Array(secret.utf8)
        }
        guard !bytes.isEmpty else { throw .emptyKey }
        key = bytes
    }

    /// `"v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">"`.
    public func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: key))
        hmac.update(data: Array(id.utf8))
        hmac.update(data: Array(".\(timestamp).".utf8))
        hmac.update(data: body)
        return "v1," + Base64.encode(Array(hmac.finalize()))
    }
}
