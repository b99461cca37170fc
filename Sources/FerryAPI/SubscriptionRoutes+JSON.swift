import FerryBroker
import FerryJSON

/// Subscription request fields and the status JSON.
extension FerryAPI {
    /// `{"name","topic","url","state","lag","delivered","failed_attempts","last_status","last_error",
    /// "last_delivery_at","batch_size","max_attempts","filter"}` (never the secret).
    static func write(_ status: SubscriptionStatus, into writer: inout JSONWriter) {
        let config = status.config
        writer.beginObject()
        writer.key(ascii: "name")
        writer.string(config.name)
        writer.key(ascii: "topic")
        writer.string(config.topic)
        writer.key(ascii: "url")
        writer.string(config.url)
        writer.key(ascii: "state")
        writer.string(status.state.rawValue)
        writer.key(ascii: "lag")
        writer.int64(status.lag)
        writer.key(ascii: "delivered")
        writer.int64(status.stats.delivered)
        writer.key(ascii: "failed_attempts")
        writer.int64(status.stats.failedAttempts)
        writer.key(ascii: "last_status")
        if let value = status.stats.lastStatus { writer.int64(Int64(value)) } else { writer.null() }
        writer.key(ascii: "last_error")
        if let value = status.stats.lastError { writer.string(value) } else { writer.null() }
        writer.key(ascii: "last_delivery_at")
        if let value = status.stats.lastDeliveryAt { writer.int64(value) } else { writer.null() }
        writer.key(ascii: "batch_size")
        writer.int64(Int64(config.batchSize))
        writer.key(ascii: "max_attempts")
        writer.int64(Int64(config.maxAttempts))
        writer.key(ascii: "filter")
        if let filter = config.filter {
            writer.beginObject()
            writer.key(ascii: "headers")
            writer.beginObject()
            for header in filter {
                writer.key(header.name)
                writer.string(header.value)
            }
            writer.endObject()
            writer.endObject()
        } else {
            writer.null()
        }
        writer.endObject()
    }

    /// An object of string values (`headers`), or nil when absent/null. Names must be HTTP tokens and values
    /// free of control characters (they become request headers).
    /// `field` names the member in errors (default `key`).
    static func headerMap(_ object: JSONObject, _ key: String, field: String? = nil) throws(APIFailure)
        -> [SubscriptionHeader]?
    {
        let name = field ?? key
        guard let value = object[key], !value.isNull else { return nil }
        guard case .object(let members) = value else { throw .parameter(name, "must be an object of strings") }
        var headers: [SubscriptionHeader] = []
        for member in members {
            guard case .string(let text) = member.value else {
                throw .parameter(name, "'\(member.key)' must be a string")
            }
            guard isToken(member.key) else { throw .parameter(name, "'\(member.key)' is not a valid header name") }
            guard !text.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F }) else {
                throw .parameter(name, "the value of '\(member.key)' contains control characters")
            }
            headers.removeAll { $0.name == member.key }
            headers.append(SubscriptionHeader(name: member.key, value: text))
        }
        return headers
    }

    /// `filter`: absent → nil; `null` → `.some(nil)` (no filter); `{"headers": {...}}` → the headers.
    static func filter(_ object: JSONObject) throws(APIFailure) -> [SubscriptionHeader]?? {
        guard let value = object["filter"] else { return nil }
        if value.isNull { return .some(nil) }
        guard case .object(let filter) = value else { throw .parameter("filter", "must be an object or null") }
        for key in filter.keys where key != "headers" {
            throw .parameter("filter", "unknown member '\(key)' (only 'headers')")
        }
        guard let headers = try headerMap(filter, "headers", field: "filter.headers") else {
            throw .parameter("filter.headers", "is required in a filter")
        }
        return .some(headers)
    }

    /// RFC 9110 token characters.
    static func isToken(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
