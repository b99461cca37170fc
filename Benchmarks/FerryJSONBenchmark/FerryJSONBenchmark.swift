import FerryJSON
import FoundationEssentials

/// Throughput of FerryJSON's hot paths, by hand: `swift run -c release ferry-bench-json`.
///
/// Produce path: walk a `{"records":[…×1000]}` body with `JSONReader`, decoding keys/headers and copying each
/// `value` as compact text. Fetch path: write 1 000 messages with `JSONWriter`, compared with `JSONEncoder`.
@main
struct FerryJSONBenchmark {
    static func main() throws {
        let body = produceBody(records: 1_000)
        print("produce body: \(body.count) bytes, 1000 records")
        var storage: [UInt8] = []
        storage.reserveCapacity(body.count)
        try measure("JSONReader walk + compact values", bytes: body.count) { try walkProduce(body, into: &storage) }
        try measure("readCompactValue(whole body)", bytes: body.count) {
            try body.withUnsafeBytes { raw in
                var reader = JSONReader(raw)
                return try reader.readCompactValue().count
            }
        }
        try measure("JSONValue.parse (DOM)", bytes: body.count) { try JSONValue.parse(body).kind == .object ? 1 : 0 }
        try measure("skipValue (validate only)", bytes: body.count) {
            try body.withUnsafeBytes { raw in
                var reader = JSONReader(raw)
                try reader.skipValue()
                return reader.position
            }
        }
        let ascii = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        try measure("isValidUTF8 (1 MiB ASCII)", bytes: ascii.count) { isValidUTF8(ascii) ? 1 : 0 }
        var base64Out: [UInt8] = []
        try measure("Base64.encode (1 MiB)", bytes: ascii.count) {
            base64Out.removeAll(keepingCapacity: true)
            ascii.withUnsafeBytes { Base64.encode($0, into: &base64Out) }
            return base64Out.count
        }
        try measure("Base64.decode (1.33 MiB text)", bytes: base64Out.count) { try Base64.decode(base64Out).count }

        let value = Array(#"{"id":1,"total":9.5}"#.utf8)
        var writer = JSONWriter(capacity: 256 * 1024)
        let writerSeconds = try measure("JSONWriter 1000 messages", bytes: nil) {
            writer.reset()
            writeMessages(&writer, value: value)
            return writer.bytes.count
        }
        print("    → \(Int(1_000 / writerSeconds)) messages/s, \(writer.bytes.count) bytes per response")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let messages = (0..<1_000).map {
            Message(
                topic: "orders", partition: 0, offset: Int64($0), timestamp: 1_764_000_000_000 + Int64($0),
                key: "customer-7", value: .init(id: 1, total: 9.5), headers: ["source": "web"])
        }
        let encoderSeconds = try measure("JSONEncoder 1000 messages", bytes: nil) {
            try encoder.encode(["messages": messages]).count
        }
        print(
            "    → \(Int(1_000 / encoderSeconds)) messages/s (writer is \(fixed(encoderSeconds / writerSeconds, 1))× faster)"
        )
    }

    struct Message: Encodable {
        struct Value: Encodable {
            var id: Int
            var total: Double
        }
        var topic: String
        var partition: Int
        var offset: Int64
        var timestamp: Int64
        var key: String
        var value: Value
        var headers: [String: String]
    }

    static func writeMessages(_ writer: inout JSONWriter, value: [UInt8]) {
        writer.beginObject()
        writer.key(ascii: "messages")
        writer.beginArray()
        for i in 0..<1_000 {
            writer.beginObject()
            writer.key(ascii: "topic")
            writer.string("orders")
            writer.key(ascii: "partition")
            writer.int64(0)
            writer.key(ascii: "offset")
            writer.int64(Int64(i))
            writer.key(ascii: "timestamp")
            writer.int64(1_764_000_000_000 + Int64(i))
            writer.key(ascii: "key")
            writer.string("customer-7")
            writer.key(ascii: "value")
            writer.rawJSON(value)
            writer.key(ascii: "headers")
            writer.beginObject()
            writer.key("source")
            writer.string("web")
            writer.endObject()
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    static func produceBody(records: Int) -> [UInt8] {
        var text = #"{"records":["#
        for i in 0..<records {
            if i > 0 { text += "," }
            text +=
                #"{"key":"customer-\#(i)","value":{"id":\#(i),"total":9.50,"items":[{"sku":"A-1","qty":2},{"sku":"B-22","qty":1}],"note":"caf\u00e9 order \#(i)"},"headers":{"source":"web","trace":"abc\#(i)"}}"#
        }
        return Array((text + "]}").utf8)
    }

    /// Walks a produce body as the REST layer would, appending each record's compact value to `storage`
    /// (emptied first, capacity kept).
    static func walkProduce(_ body: [UInt8], into storage: inout [UInt8]) throws -> Int {
        storage.removeAll(keepingCapacity: true)
        var total = 0
        try body.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            try reader.readObject { key, reader in
                guard key == "records" else { return }
                try reader.readArray { _, reader in
                    try reader.readObject { field, reader in
                        switch field {
                        case "key": total += try reader.readString().utf8.count
                        case "value": try reader.readCompactValue(into: &storage)
                        case "headers":
                            try reader.readObject { name, reader in
                                total += name.utf8.count + (try reader.readString()).utf8.count
                            }
                        default: try reader.skipValue()
                        }
                    }
                }
            }
            try reader.finish()
        }
        return total + storage.count
    }

    /// Runs `body` repeatedly for about a second; prints and returns the best time of one run in seconds.
    @discardableResult
    static func measure(_ name: String, bytes: Int?, _ body: () throws -> Int) throws -> Double {
        let clock = ContinuousClock()
        var best = Double.infinity
        var sink = 0
        let deadline = clock.now.advanced(by: .seconds(1))
        var runs = 0
        while clock.now < deadline || runs < 5 {
            let start = clock.now
            sink &+= try body()
            let elapsed = start.duration(to: clock.now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, seconds)
            runs += 1
        }
        let rate = bytes.map { "  " + fixed(Double($0) / best / 1e6, 0) + " MB/s" } ?? ""
        let label = name + String(repeating: " ", count: max(0, 36 - name.count))
        print(label + " best " + fixed(best * 1e6, 1) + " µs" + rate + "  (\(runs) runs, \(sink & 1))")
        return best
    }

    /// `value` with `digits` decimals (FoundationEssentials has no `String(format:)`).
    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        guard digits > 0 else { return String(scaled) }
        let whole = String(scaled / Int64(scale))
        let fraction = String(scaled % Int64(scale))
        return whole + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
}
