/// ApiVersions request (key 18, v0–3): which versions of each API the broker speaks. Versions 0–2 have an empty
/// body; v3 is flexible and names the client software.
public struct ApiVersionsRequest: Equatable, Sendable {
    /// The client's name (v3+; "" before).
    public var clientSoftwareName: String
    /// The client's version (v3+; "" before).
    public var clientSoftwareVersion: String

    public init(clientSoftwareName: String = "", clientSoftwareVersion: String = "") {
        self.clientSoftwareName = clientSoftwareName
        self.clientSoftwareVersion = clientSoftwareVersion
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> ApiVersionsRequest
    {
        var request = ApiVersionsRequest()
        if version >= 3 {
            request.clientSoftwareName = try reader.compactString()
            request.clientSoftwareVersion = try reader.compactString()
            try reader.skipTaggedFields()
        }
        return request
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        if version >= 3 {
            writer.compactString(clientSoftwareName)
            writer.compactString(clientSoftwareVersion)
            writer.emptyTaggedFields()
        }
    }
}

/// ApiVersions response (v0–3): the supported version range of each API. Its header is always v0; its body at
/// v3 is flexible (compact array, tagged fields; Ferry writes no tagged fields and skips any it reads).
public struct ApiVersionsResponse: Equatable, Sendable {
    /// One API's supported version range.
    public struct ApiVersion: Equatable, Sendable {
        public var apiKey: Int16
        public var minVersion: Int16
        public var maxVersion: Int16

        public init(apiKey: Int16, minVersion: Int16, maxVersion: Int16) {
            self.apiKey = apiKey
            self.minVersion = minVersion
            self.maxVersion = maxVersion
        }
    }

    public var errorCode: Int16
    public var apiKeys: [ApiVersion]
    /// v1+.
    public var throttleTimeMs: Int32

    public init(errorCode: Int16 = 0, apiKeys: [ApiVersion], throttleTimeMs: Int32 = 0) {
        self.errorCode = errorCode
        self.apiKeys = apiKeys
        self.throttleTimeMs = throttleTimeMs
    }

    public func encode(_ writer: inout KafkaWriter, version: Int16) {
        writer.int16(errorCode)
        let element = { (writer: inout KafkaWriter, key: ApiVersion) in
            writer.int16(key.apiKey)
            writer.int16(key.minVersion)
            writer.int16(key.maxVersion)
            if version >= 3 { writer.emptyTaggedFields() }
        }
        if version >= 3 { writer.compactArray(apiKeys, element) } else { writer.array(apiKeys, element) }
        if version >= 1 { writer.int32(throttleTimeMs) }
        if version >= 3 { writer.emptyTaggedFields() }
    }

    public static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError)
        -> ApiVersionsResponse
    {
        let errorCode = try reader.int16()
        let element = { (reader: inout KafkaReader) throws(KafkaWireError) -> ApiVersion in
            let key = ApiVersion(
                apiKey: try reader.int16(), minVersion: try reader.int16(), maxVersion: try reader.int16())
            if version >= 3 { try reader.skipTaggedFields() }
            return key
        }
        let apiKeys =
            version >= 3
            ? try reader.compactArray(minimumElementBytes: 7, element)
            : try reader.array(minimumElementBytes: 6, element)
        let throttleTimeMs = version >= 1 ? try reader.int32() : 0
        if version >= 3 { try reader.skipTaggedFields() }
        return ApiVersionsResponse(errorCode: errorCode, apiKeys: apiKeys, throttleTimeMs: throttleTimeMs)
    }
}
