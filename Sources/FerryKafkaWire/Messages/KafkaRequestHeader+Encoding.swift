extension KafkaRequestHeader {
    /// Writes the header (v1; v2 with an empty tagged-field section when the API and version are flexible), for
    /// clients and tests that build request frames.
    public func encode(_ writer: inout KafkaWriter) {
        writer.int16(apiKey)
        writer.int16(apiVersion)
        writer.int32(correlationID)
        writer.nullableString(clientID)
        if let api, api.isFlexible(apiVersion) { writer.emptyTaggedFields() }
    }

    /// A whole request frame: the 4-byte size, this header, then the body `encodeBody` writes.
    public func frame(_ encodeBody: (inout KafkaWriter) -> Void) -> [UInt8] {
        var writer = KafkaWriter()
        writer.int32(0)
        encode(&writer)
        encodeBody(&writer)
        writer.patchInt32(Int32(truncatingIfNeeded: writer.count - 4), at: 0)
        return writer.bytes
    }
}
