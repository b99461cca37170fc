import FerryHTTP

/// One file of the web console, embedded in the binary (see `ConsoleAssets.generated.swift`, written by
/// `scripts/embed-console` from `Console/Assets/`).
///
/// Immutable value; the body and ETag are computed once, when the asset table is first used.
struct ConsoleAsset: Sendable {
    /// The file name under `/ui/` (`index.html`, `app.js`, …).
    let name: String
    /// The `Content-Type` it is served with (from the file extension).
    let contentType: String
    /// The file's bytes.
    let body: [UInt8]
    /// A strong validator: the quoted 64-bit FNV-1a hash of `body` in hex.
    let etag: String

    init(name: String, text: String) {
        self.name = name
        self.body = Array(text.utf8)
        self.contentType = Self.contentType(forName: name)
        self.etag = "\"" + String(Self.fnv1a(body), radix: 16) + "\""
    }

    /// The content type for a file name's extension; unknown extensions are served as bytes.
    static func contentType(forName name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "json": "application/json; charset=utf-8"
        default: "application/octet-stream"
        }
    }

    /// 64-bit FNV-1a (a cheap content hash for the ETag; not a security measure).
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The asset by file name, or nil.
    static func named(_ name: String) -> ConsoleAsset? { all[name] }

    /// Every embedded asset by name.
    static let all: [String: ConsoleAsset] = {
        var table: [String: ConsoleAsset] = [:]
        for (name, text) in ConsoleAssetSources.files { table[name] = ConsoleAsset(name: name, text: text) }
        return table
    }()
}
