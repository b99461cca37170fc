import ArgumentParser
import FerryCurl
import FerryJSON

#if canImport(Glibc)
    import Glibc
#endif

/// Options every client command takes.
struct ClientOptions: ParsableArguments {
    @Option(help: "Server URL (env FERRY_SERVER).")
    var server: String = ServeOptions.env("FERRY_SERVER") ?? "http://127.0.0.1:8080"

    @Flag(help: "Print the server's JSON instead of a table.")
    var json = false
}

/// A failed call: the server's problem detail (or the transport error), printed as one line.
struct ClientError: Error, CustomStringConvertible {
    let description: String
}

/// A small blocking client for the REST API over libcurl, used by the `ferry` client commands.
struct FerryClient {
    let base: String
    let http = CurlHTTPClient()

    init(_ options: ClientOptions) {
        var base = options.server
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
    }

    /// Sends a request; returns the body of a 2xx answer, throws ``ClientError`` with the problem's detail else.
    @discardableResult
    func call(
        _ method: String, _ path: String, body: [UInt8] = [], contentType: String = "application/json",
        headers extra: [(name: String, value: String)] = [], timeout: Duration = .seconds(30)
    ) throws -> [UInt8] {
        var headers = extra
        if method != "GET" && method != "DELETE" { headers.append(("Content-Type", contentType)) }
        let response: CurlResponse
        do {
            response = try http.send(
                CurlRequest(method: method, url: base + path, headers: headers, body: body, timeout: timeout))
        } catch {
            throw ClientError(description: "cannot reach \(base): \(error)")
        }
        guard (200..<300).contains(response.status) else {
            if let problem = try? JSONValue.parse(response.body), case .object(let object) = problem {
                let title = object["title"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "error"
                let detail = object["detail"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? ""
                throw ClientError(description: "\(response.status) \(title): \(detail)")
            }
            throw ClientError(description: "HTTP \(response.status): \(response.bodyText)")
        }
        return response.body
    }

    /// `call` and parse the answer as JSON.
    func json(_ method: String, _ path: String, body: JSONValue? = nil, timeout: Duration = .seconds(30)) throws
        -> JSONValue
    {
        let bytes = try call(method, path, body: body?.compactBytes ?? [], timeout: timeout)
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw ClientError(description: "the server sent invalid JSON: \(error)")
        }
    }

    /// Percent-encodes a path segment or query value.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}

/// Prints rows as an aligned text table with a header.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[index] - cell.count))
        }.joined(separator: "  ")
    }
    print(line(header))
    for row in rows { print(line(row)) }
}

/// Prints a JSON value compactly on one line.
func printJSON(_ value: JSONValue) {
    print(value.compactString)
}

extension JSONValue {
    /// A member as display text: strings bare, other values as compact JSON, missing as "".
    func text(_ key: String) -> String {
        switch self[key] {
        case .string(let s)?: return s
        case nil: return ""
        case let other?: return other.compactString
        }
    }

    /// A member that is an array (empty when missing or not an array).
    func list(_ key: String) -> [JSONValue] {
        if case .array(let items)? = self[key] { return items }
        return []
    }
}
