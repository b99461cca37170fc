/// SaslHandshake request (key 17, v0–1): the SASL mechanism the client wants (v1: then SaslAuthenticate frames).
public struct SaslHandshakeRequest: Equatable, Sendable {
    public var mechanism: String

    public init(mechanism: String) { self.mechanism = mechanism }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> SaslHandshakeRequest
    {
        SaslHandshakeRequest(mechanism: try reader.string())
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) { writer.string(mechanism) }
}

/// SaslHandshake response (v0–1): an error if the mechanism is not enabled, and the enabled mechanisms.
public struct SaslHandshakeResponse: Equatable, Sendable {
    public var errorCode: Int16
    public var mechanisms: [String]

    public init(errorCode: Int16 = 0, mechanisms: [String]) {
        self.errorCode = errorCode
        self.mechanisms = mechanisms
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.int16(errorCode)
        writer.stringArray(mechanisms)
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> SaslHandshakeResponse
    {
        SaslHandshakeResponse(errorCode: try reader.int16(), mechanisms: try reader.stringArray())
    }
}

/// SaslAuthenticate request (key 36, v0–1): one SASL token from the client (for PLAIN, `\0user\0password`).
public struct SaslAuthenticateRequest: Equatable, Sendable {
    public var authBytes: [UInt8]

    public init(authBytes: [UInt8]) { self.authBytes = authBytes }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> SaslAuthenticateRequest
    {
        SaslAuthenticateRequest(authBytes: try reader.bytesField())
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) { writer.bytesField(authBytes) }
}

/// SaslAuthenticate response (v0–1): the outcome, and the server's SASL token.
public struct SaslAuthenticateResponse: Equatable, Sendable {
    public var errorCode: Int16
    public var errorMessage: String?
    public var authBytes: [UInt8]
    /// v1+: 0 = the session does not expire.
    public var sessionLifetimeMs: Int64

    public init(
        errorCode: Int16 = 0, errorMessage: String? = nil, authBytes: [UInt8] = [], sessionLifetimeMs: Int64 = 0
    ) {
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.authBytes = authBytes
        self.sessionLifetimeMs = sessionLifetimeMs
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.int16(errorCode)
        writer.nullableString(errorMessage)
        writer.bytesField(authBytes)
        if version >= 1 { writer.int64(sessionLifetimeMs) }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> SaslAuthenticateResponse
    {
        SaslAuthenticateResponse(
            errorCode: try reader.int16(), errorMessage: try reader.nullableString(),
            authBytes: try reader.bytesField(),
            sessionLifetimeMs: version >= 1 ? try reader.int64() : 0)
    }
}
