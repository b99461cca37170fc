import Crypto
import FoundationEssentials
import Testing

@testable import FerryWebhooks

/// An independent Standard Webhooks verifier, written from the spec (https://www.standardwebhooks.com):
/// signed content `"{id}.{timestamp}.{body}"`, key = base64-decoded secret after `whsec_`, header value a
/// space-separated list of `v1,<base64 HMAC-SHA256>`. Uses Foundation's base64 and Crypto's HMAC directly.
func verifyStandardWebhook(secret: String, headers: [(name: String, value: String)], body: [UInt8]) -> Bool {
    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name }?.value }
    guard let id = header("webhook-id"), let timestamp = header("webhook-timestamp"),
        let signatures = header("webhook-signature")
    else { return false }
    let keyBytes: Data
    if secret.hasPrefix("whsec_") {
        guard let decoded = Data(base64Encoded: String(secret.dropFirst("whsec_".count))) else { return false }
        keyBytes = decoded
    } else {
        keyBytes = Data(secret.utf8)
    }
    let content = Data("\(id).\(timestamp).".utf8) + Data(body)
    let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: keyBytes))
    let expected = Data(mac).base64EncodedString()
    return signatures.split(separator: " ").contains { candidate in
        let parts = candidate.split(separator: ",", maxSplits: 1)
        return parts.count == 2 && parts[0] == "v1" && parts[1] == expected
    }
}

struct WebhookSignerTests {
    @Test func signature_MatchesStandardWebhooksTestVector() throws {
        let signer = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = signer.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test(arguments: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_AAEC", "plain secret ✓", "s"])
    func headers_AreAcceptedByIndependentVerifier(secret: String) throws {
        let body = Array(#"{"subscription":"billing","messages":[{"offset":1}]}"#.utf8)
        let headers = WebhookHeaders.make(
            id: "ab12", timestamp: 1_764_000_000, body: body, signer: try WebhookSigner(secret: secret), custom: [])
        #expect(verifyStandardWebhook(secret: secret, headers: headers, body: body))
        #expect(!verifyStandardWebhook(secret: secret, headers: headers, body: body + [0x20]))
        #expect(!verifyStandardWebhook(secret: secret + "x", headers: headers, body: body))
    }

    @Test func signature_UsesUTF8BytesOfNonWhsecSecret() throws {
        let body = Array("payload".utf8)
        let signature = try WebhookSigner(secret: "my-secret").signature(id: "id1", timestamp: 42, body: body)
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("id1.42.payload".utf8), using: SymmetricKey(data: Data("my-secret".utf8)))
        #expect(signature == "v1," + Data(mac).base64EncodedString())
    }

    @Test func signature_DiffersPerIdTimestampAndBody() throws {
        let signer = try WebhookSigner(secret: "k")
        let base = signer.signature(id: "a", timestamp: 1, body: [1])
        #expect(base != signer.signature(id: "b", timestamp: 1, body: [1]))
        #expect(base != signer.signature(id: "a", timestamp: 2, body: [1]))
        #expect(base != signer.signature(id: "a", timestamp: 1, body: [2]))
    }

    @Test(arguments: ["whsec_not*base64", "whsec_A", "whsec_AB=C", "whsec_ABC==="])
    func init_RejectsBadBase64AfterPrefix(secret: String) {
        #expect(throws: WebhookSecretError.invalidBase64) { try WebhookSigner(secret: secret) }
    }

    @Test func init_RejectsEmptyKey() {
        #expect(throws: WebhookSecretError.emptyKey) { try WebhookSigner(secret: "") }
        #expect(throws: WebhookSecretError.emptyKey) { try WebhookSigner(secret: "whsec_") }
    }

    @Test func whsecSecret_SignsTheSame_WithOrWithoutPadding() throws {
        for length in 1..<40 {
            let key = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 200) }
            let padded = Data(key).base64EncodedString()
            let expected = try WebhookSigner(secret: "whsec_" + padded).signature(id: "m", timestamp: 1, body: [1, 2])
            let unpadded = try WebhookSigner(secret: "whsec_" + padded.prefix { $0 != "=" })
            #expect(unpadded.signature(id: "m", timestamp: 1, body: [1, 2]) == expected)
            // The key really is the decoded bytes: the same as a raw key of those bytes would give.
            var hmac = HMAC<SHA256>(key: SymmetricKey(data: key))
            hmac.update(data: Array("m.1.".utf8) + [1, 2])
            #expect(expected == "v1," + Data(hmac.finalize()).base64EncodedString())
        }
    }
}

struct WebhookHeadersTests {
    @Test func make_OrdersStandardHeadersFirst_AndKeepsCustomOnes() throws {
        let headers = WebhookHeaders.make(
            id: "msg_1", timestamp: 99, body: [], signer: try WebhookSigner(secret: "k"),
            custom: [(name: "Authorization", value: "Bearer t"), (name: "X-Env", value: "prod")])
        #expect(
            headers.map(\.name) == [
                "content-type", "webhook-id", "webhook-timestamp", "webhook-signature", "Authorization", "X-Env",
            ])
        #expect(headers[0].value == "application/json" && headers[1].value == "msg_1" && headers[2].value == "99")
    }

    @Test func make_OmitsSignatureWithoutSigner() {
        let headers = WebhookHeaders.make(id: "m", timestamp: 1, body: [], signer: nil, custom: [])
        #expect(headers.map(\.name) == ["content-type", "webhook-id", "webhook-timestamp"])
    }

    @Test func make_CustomHeadersCannotOverrideReservedOnes() {
        let headers = WebhookHeaders.make(
            id: "real", timestamp: 5, body: [], signer: nil,
            custom: [
                (name: "Webhook-Id", value: "forged"), (name: "WEBHOOK-SIGNATURE", value: "v1,forged"),
                (name: "webhook-timestamp", value: "0"), (name: "Content-Type", value: "text/plain"),
                (name: "Content-Length", value: "1"), (name: "X-Ok", value: "1"),
            ])
        #expect(headers.map(\.name) == ["content-type", "webhook-id", "webhook-timestamp", "X-Ok"])
        #expect(headers[1].value == "real")
    }

    @Test func problem_RejectsBadNamesReservedNamesAndControlCharacters() {
        #expect(WebhookHeaders.problem(name: "Authorization", value: "Bearer x y") == nil)
        #expect(WebhookHeaders.problem(name: "", value: "x") != nil)
        #expect(WebhookHeaders.problem(name: "Bad Name", value: "x") != nil)
        #expect(WebhookHeaders.problem(name: "X:Y", value: "x") != nil)
        #expect(WebhookHeaders.problem(name: "webhook-id", value: "x") != nil)
        #expect(WebhookHeaders.problem(name: "X-A", value: "a\r\nInjected: 1") != nil)
        #expect(WebhookHeaders.problem(name: "X-A", value: "nul\u{0}") != nil)
    }
}
