/// The header of every request frame: which API and version, the correlation id the response echoes, and the
/// client id.
///
/// Header v1 (classic) is `api_key int16, api_version int16, correlation_id int32, client_id NULLABLE_STRING`;
/// header v2 (flexible versions) appends a tagged-field section. The header is decoded before the API is known
/// to be supported, so an unsupported key or version can still be answered by correlation id.
public struct KafkaRequestHeader: Equatable, Sendable {
    public var apiKey: Int16
    public var apiVersion: Int16
    public var correlationID: Int32
    public var clientID: String?

    public init(apiKey: Int16, apiVersion: Int16, correlationID: Int32, clientID: String?) {
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationID = correlationID
        self.clientID = clientID
    }

    /// Decodes the header at the start of `reader` (one frame without its length prefix), leaving the reader at
    /// the request body.
    public static func decode(_ reader: inout KafkaReader) throws(KafkaWireError) -> KafkaRequestHeader {
        let apiKey = try reader.int16()
        let apiVersion = try reader.int16()
        let correlationID = try reader.int32()
        let clientID = try reader.nullableString()
        let header = KafkaRequestHeader(
            apiKey: apiKey, apiVersion: apiVersion, correlationID: correlationID, clientID: clientID)
        if let key = KafkaAPIKey(rawValue: apiKey), key.isFlexible(apiVersion) { try reader.skipTaggedFields() }
        return header
    }

    /// The API, when Ferry knows it.
    public var api: KafkaAPIKey? { KafkaAPIKey(rawValue: apiKey) }
}

/// Builds one response frame: the 4-byte size, the correlation id (response header v0; v1 adds tagged fields,
/// used by flexible versions except ApiVersions, whose response header is always v0), then the body.
public struct KafkaResponseFrame {
    public var writer: KafkaWriter

    /// Starts a response to `correlationID`; write the body into ``writer`` and call ``finish()``.
    public init(correlationID: Int32, flexibleHeader: Bool = false, capacity: Int = 256) {
        writer = KafkaWriter(capacity: capacity)
        writer.int32(0)  // size, patched by finish()
        writer.int32(correlationID)
        if flexibleHeader { writer.emptyTaggedFields() }
    }

    /// The complete frame with its size prefix (handed over without a copy; the frame is empty afterwards).
    public mutating func finish() -> [UInt8] {
        writer.patchInt32(Int32(writer.count - 4), at: 0)
        var bytes: [UInt8] = []
        swap(&bytes, &writer.bytes)
        return bytes
    }
}
