import FerryBroker
import FerryJSON

/// How a value's format (JSON or raw) travels on Kafka: a record header `ferry-format: json` on JSON values and
/// nothing on raw ones, so a native producer's records read back byte-exact as raw values and native consumers
/// see Ferry's messages with an ordinary header.
enum ValueFormatHeader {
    static let name = "ferry-format"
    static let json: [UInt8] = Array("json".utf8)

    /// The format a stored value is served in: JSON when the header says so and the value is a JSON document
    /// (a header set by someone else on a value that is not JSON falls back to raw, so responses stay valid).
    static func format(header: [UInt8]?, value: [UInt8]?) -> ValueFormat {
        guard header == json, let value else { return .raw }
        let valid = (try? JSONReader.read(value) { reader in try reader.skipValue() }) != nil
        return valid ? .json : .raw
    }
}
